"""Rasa input channels that authenticate what they receive before it reaches the assistant.

Importing the package changes nothing in Rasa: the speed fixes (rasa_speedups.py) are applied by
the channels when Rasa builds them from credentials.yml (`rasa_speedups.apply()`), and fail loudly
there when they do not fit the installed Rasa."""
