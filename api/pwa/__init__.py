"""The installable web app (``pwa/``) served by the API at ``/``."""
