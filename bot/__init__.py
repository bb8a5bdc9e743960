"""Trợ lý DVC chatbot (Rasa 3.6): config, domain, custom components and actions."""
