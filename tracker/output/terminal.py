"""The only module that imports rich: colour for plain text at a terminal. Never prints."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tracker.domain.rating import Rating


def console() -> Console:
    """The console commands print to at a terminal."""
    return Console(highlight=False, emoji=False, markup=False)


def coloured(text: str) -> Text:
    """Plain text with each rating word in its colour, and the flags in bold."""
    out = Text(text)
    for rating in Rating:
        out.highlight_regex(rf"(?<![A-Za-z]){rating.word}(?![A-Za-z])", f"bold {rating.colour}")
    out.highlight_regex(r"\b(OVERDUE|WORSE)\b", "bold")
    return out
