"""One paper, three renderers: the blocks and inline pieces a board paper is made of.

The paper is built once (output/paper.py) as these blocks; output/markdown.py, output/html.py and
output/word.py each turn them into their format. A plain `str` piece is text as the words it is,
already one line: every renderer escapes it for its format, so no renderer can be told apart by
what a piece of user text does to it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from tracker.domain.rating import Rating

from .text import clean


class Strong(NamedTuple):
    text: str


class Link(NamedTuple):
    """Evidence: shown as its site and linked where it is http(s), else shown as the text it is."""

    url: str


class Mark(NamedTuple):
    """A rating: a shape and a word, which survive black-and-white printing; coloured where the format can."""

    rating: Rating

    @property
    def text(self) -> str:
        """`▲ AMBER`: the shape and the word, as a Word or HTML cell shows them."""
        return f"{self.rating.symbol} {self.rating.word}"


Inline = str | Strong | Link | Mark
Line = tuple[Inline, ...]


class Heading(NamedTuple):
    level: int  # 1 the paper's title, 2 its sections
    text: str


class Para(NamedTuple):
    line: Line


class Items(NamedTuple):
    """A bulleted list; an item may have a second line under it (the words behind an exception)."""

    items: tuple[tuple[Line, Line | None], ...]


class Fields(NamedTuple):
    """The header block: a label and its value a row."""

    rows: tuple[tuple[str, Line], ...]


class Table(NamedTuple):
    headers: tuple[str, ...]
    rows: tuple[tuple[Line, ...], ...]
    align: str = ""  # an "r" for each right-aligned column, from the left


class Appendices(NamedTuple):
    """From here on, the appendices: on pages of their own, landscape where the format has pages."""


class Charts(NamedTuple):
    """Here, the dashboard (the chart and the counts by section) in a format that draws one."""


class Counts(NamedTuple):
    label: str
    counts: dict[Rating, int]


class Dashboard(NamedTuple):
    """The page that opens the Word and HTML papers: the headline counts at each past board (or
    quarter's end) as a stacked bar chart, and the counts today by section."""

    by: str  # "board meeting" or "quarter"
    trend: tuple[tuple[date, dict[Rating, int]], ...]
    sections: tuple[Counts, ...]
    earlier: int = 0  # how many earlier dates the chart leaves out (`tracker trend` lists them all)


class Paper(NamedTuple):
    title: str
    dashboard: Dashboard | None
    blocks: tuple[Block, ...]
    classification: str | None = None  # marked at the top and bottom of every page where the format has pages
    author: str | None = None  # who the document says wrote it: the board's secretariat, or the board


def plain(text: object) -> str:
    """User text as one line: control characters gone, every run of white space one space."""
    return " ".join(clean(text).split())


# Each rating's fill and the ink that reads on it, for the formats that print in colour: the
# GOV.UK palette, which boards' readers know; the word is always printed too.
FILL = {
    Rating.RED: ("D4351C", "FFFFFF"),
    Rating.AMBER: ("F47738", "0B0C0C"),
    Rating.GREEN: ("00703C", "FFFFFF"),
    Rating.COMPLETE: ("1D70B8", "FFFFFF"),
    Rating.NO_RETURN: ("B1B4B6", "0B0C0C"),
}


# What a link's target keeps as it is; every other character is percent-encoded, as
# urllib.parse.quote does with these as safe (written out here: urllib costs start-up).
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~:/?#[]@!$&'*+,;=%")
_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#]*)")
_ESCAPED = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def target(url: str) -> str:
    """A link's target in ASCII, every character that could end it or confuse a reader percent-encoded."""
    return "".join(ch if ch in _SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")) for ch in url.strip())


def host(url: str) -> str:
    """The site a link goes to, as the link's own target names it ("" if none): lower case, without
    "www.", and a name in another script as its xn-- form, so a look-alike cannot pass for the real one."""
    found = _HOST.match(target(url))
    if not found or not found[1]:
        return ""
    name = _ESCAPED.sub(lambda m: bytes.fromhex(m[0].replace("%", "")).decode("utf-8", "replace"), found[1])
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            name = found[1]
    return name.lower().removeprefix("www.")


def web(url: str) -> str | None:
    """The link's target if it is one a paper may link to (http or https, to a named site), else None."""
    url = url.strip()
    return target(url) if url.lower().startswith(("http://", "https://")) and host(url) else None


class Series(NamedTuple):
    """One measure's values over time, for a small chart: each value's period and value, and the
    baseline and target where the measure has them (as numbers in its unit)."""

    name: str
    unit: str
    points: tuple[tuple[str, float], ...]
    baseline: float | None = None
    target: float | None = None
    target_by: str | None = None


class MeasureCharts(NamedTuple):
    """A small chart per measure, in the formats that draw them (Word, HTML); markdown has the table."""

    series: tuple[Series, ...]


Block = Heading | Para | Items | Fields | Table | Appendices | Charts | MeasureCharts
