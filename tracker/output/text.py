"""Making text from the data or the user safe to show: at a terminal (`clean`) and in a spreadsheet.

Kept alone, importing nothing, so that even the error boundary in cli.py uses it at no cost.
"""

from __future__ import annotations

import re

# Control characters (ANSI escape sequences start with ESC, OSC 52 writes the clipboard) would
# restyle or drive the terminal; bidirectional overrides (U+202E) would reorder what is shown.
# Line and paragraph separators (U+2028, U+2029) would break a line where none is shown. U+FFFE and
# U+FFFF are no characters at all: XML (Word) cannot hold them and HTML forbids them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def clean(value: object) -> str:
    """User text as plain words: no control characters, so no escape sequences."""
    return _CONTROL.sub("", str(value))


# A spreadsheet reads a cell that starts with one of these as a formula (the OWASP rule for CSV).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as the text it is: a quote before a would-be formula.

    A cell that already starts with a quote before one gets another, so `unspreadsheet_cell`
    gives back exactly what was written, whatever it was.
    """
    text = str(value)
    if text[:1] in _FORMULA or (text[:1] == "'" and text[1:2] in (*_FORMULA, "'")):
        return "'" + text
    return text


def unspreadsheet_cell(text: str) -> str:
    """The value `spreadsheet_cell` wrote."""
    return text[1:] if text[:1] == "'" and text[1:2] in (*_FORMULA, "'") else text


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 recommendation`, `31 recommendations`."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
