"""Custom actions of the Trợ lý DVC chatbot. They keep no data of their own: every fact
comes from the API over HTTP (DVC_API_URL, default http://127.0.0.1:8000)."""
