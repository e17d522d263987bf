"""Values as every boundary (YAML, CSV, the command line) reads them: dates, URLs, plain records."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# No white space, control character, backslash (which browsers read as "/", so a link could show
# one site and go to another), non-character or bidirectional override anywhere in a link.


@cache
def _url() -> re.Pattern[str]:
    """An http(s) link's form: compiled when first asked for (a command that checks no link never pays)."""
    return re.compile(
        "https?://[^\\s/$.?#\\\\][^\\s\\\\\x00-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]*", re.IGNORECASE
    )


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD that exists on the calendar.

    Raises ValueError saying which of the two it is not, for the caller to word for its user.
    """
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{excerpt(text)} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a real date") from None


_PERIOD = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse_period(text: str) -> tuple[date, date]:
    """A day, a month or a year, written YYYY-MM-DD, YYYY-MM or YYYY: its first and last days.

    Raises ValueError saying what it is not, for the caller to word for its user.
    """
    found = _PERIOD.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{excerpt(text)} is not a date written YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(part) if part else None for part in found.groups())
    assert year is not None
    try:
        if day is not None and month is not None:
            one = date(year, month, day)
            return one, one
        if month is not None:
            first = date(year, month, 1)
            return first, date(year, 12, 31) if month == 12 else date(year, month + 1, 1) - timedelta(days=1)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        raise ValueError(f"{text.strip()} is not a real date") from None


def long_date(day: date) -> str:
    """A date as a UK reader reads it in text: `10 December 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_words(text: str) -> str:
    """A day, month or year (YYYY-MM-DD, YYYY-MM, YYYY) in words: `10 December 2026`, `March 2023`, `2025`."""
    first, _ = parse_period(text)
    parts = text.strip().count("-")
    return long_date(first) if parts == 2 else f"{MONTHS[first.month - 1]} {first.year}" if parts == 1 else str(first.year)


# What Python makes of bytes that are not UTF-8 (in argv, the environment, a subprocess's output):
# no UTF-8 file can hold them, so no YAML reader would read them back.


@cache
def _not_utf8() -> re.Pattern[str]:
    return re.compile("[\ud800-\udfff]")


def not_utf8(text: str) -> str | None:
    """None if `text` can be written as UTF-8; else a short excerpt showing the bytes that cannot."""
    found = _not_utf8().search(text)
    if found is None:
        return None
    start = max(0, found.start() - 12)
    excerpt = text[start : found.end() + 12].encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
    return excerpt


def excerpt(value: str, limit: int = 32) -> str:
    """A value as an error quotes it: in quotes, and cut short, so an error never spills a file's content."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def is_url(text: str) -> bool:
    """An http(s) link that a browser, and Python's own parser, can follow."""
    if _url().fullmatch(text.strip()) is None:
        return False
    if text.isascii() and "[" not in text and "]" not in text:
        return True  # Python's parser then finds a host (the pattern puts one after the //) and nothing to refuse
    if not text.isascii():
        import unicodedata

        # No invisible or unassigned character (a format character such as U+200B, a non-character such
        # as U+FDD0, a private-use one): what a reader sees of the link must be all there is to it.
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp") for ch in text.strip()):
            return False
    from urllib.parse import urlsplit

    try:
        return bool(urlsplit(text.strip()).netloc)
    except ValueError:  # "http://[abc/", a host that changes under NFKC normalisation
        return False


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def plain(record: NamedTuple) -> dict[str, object]:
    """A flat record's fields as plain values, dates as ISO text: for tables and JSON."""
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in record._asdict().items()}
