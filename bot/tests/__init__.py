"""Tests of the chatbot's own components."""
