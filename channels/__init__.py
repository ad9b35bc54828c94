"""Rasa input channels that authenticate what they receive before it reaches the assistant.

Importing the package also applies the Rasa speed fixes (rasa_speedups.py): Rasa imports these
channels at start-up, so every Rasa server gets them however it was started."""

try:
    from channels import rasa_speedups
except ImportError:  # not in the Rasa process: the end-to-end tests borrow channel helpers, without Rasa
    pass
else:
    rasa_speedups.apply()
