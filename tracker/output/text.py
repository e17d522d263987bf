"""The one function that makes text from the data or the user safe to print.

Kept alone, importing nothing, so that even the error boundary in cli.py uses it at no cost.
"""

from __future__ import annotations

import re

# Control characters (ANSI escape sequences start with ESC, OSC 52 writes the clipboard) would
# restyle or drive the terminal; bidirectional overrides (U+202E) would reorder what is shown.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: object) -> str:
    """User text as plain words: no control characters, so no escape sequences."""
    return _CONTROL.sub("", str(value))
