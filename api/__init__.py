"""Trợ lý DVC — the backend: procedure catalog, chat, addresses, dossiers, push, desk."""
