"""Vietnamese text handling shared by search, chat and the bot's tokenizer (stdlib only)."""
