"""Custom Rasa graph components of the chatbot (Vietnamese tokenizer)."""
