"""One-stop-desk mode: volunteer accounts, live handoff from the bot, call-backs, learning
from real chats, feedback and figures."""
