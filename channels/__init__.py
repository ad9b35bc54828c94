"""Rasa input channels that authenticate what they receive before it reaches the assistant."""
