"""Shared helpers at the bottom of the library, used by every stage: atomic file writes, the
plausibility checks that turn bad input into an InputError naming the file, and the time conventions."""
