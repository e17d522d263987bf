"""Bulk returns as CSV, the same columns both ways: `tracker export` writes them, `import` reads them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from .domain import Dataset, is_url, parse_iso_date
from .errors import DataError, TrackerError
from .updates import RAG_CHOICES, StatusUpdate, check_update, filer, parse_rag

COLUMNS = ["recommendation", "dept", "date", "rag", "summary", "author", "evidence", "target_date", "reason"]
REQUIRED = ["recommendation", "dept", "date", "rag", "summary"]


def write_updates(updates: Iterable[StatusUpdate]) -> str:
    """Returns as CSV; several evidence links share one cell, separated by spaces."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for u in updates:
        target = u.target_date.isoformat() if u.target_date else ""
        row = [
            u.recommendation,
            u.dept,
            u.date.isoformat(),
            u.rag.value,
            u.summary,
            u.author,
            " ".join(u.evidence),
            target,
            u.reason or "",
        ]
        writer.writerow(row)
    return buf.getvalue()


def read_updates(path: Path, data: Dataset, today: date, default_author: Callable[[], str]) -> list[StatusUpdate]:
    """Every row of a returns CSV as a checked return; the first bad row stops the whole import."""
    shown = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError("file not found", shown) from None
    except UnicodeDecodeError as e:
        raise DataError(f"not valid UTF-8 (byte {e.start}); save the spreadsheet as CSV UTF-8", shown) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        raise DataError("the file is empty; the first row names the columns: " + ", ".join(COLUMNS), shown)
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise DataError(f"row 1: unknown column {unknown[0]!r}; the columns are: {', '.join(COLUMNS)}", shown)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(f"row 1: no {missing[0]!r} column; required: {', '.join(REQUIRED)}", shown)
    author: str | None = None
    updates = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataError(f"row {number}: has {len(values)} cells but the header has {len(header)}", shown)
        row = dict(zip(header, (v.strip() for v in values), strict=True))
        if not row.get("author"):
            author = author or default_author()
            row["author"] = author
        updates.append(_update(row, data, today, f"{shown}: row {number}"))
    return updates


def _update(row: dict[str, str], data: Dataset, today: date, where: str) -> StatusUpdate:
    def fail(column: str, message: str) -> DataError:
        return DataError(f"{where}, column {column}: {message}")

    if not row["recommendation"].isdigit():
        raise fail("recommendation", f"{row['recommendation']!r} is not a recommendation number")
    number = int(row["recommendation"])
    rec = next((r for r in data.recommendations if r.number == number), None)
    if rec is None:
        raise fail("recommendation", f"there is no recommendation {number}")
    day = parse_iso_date(row["date"])
    if day is None:
        raise fail("date", f"{row['date']!r} is not a real date written YYYY-MM-DD")
    try:
        code = filer(data, rec, row["dept"], day)
    except TrackerError as e:
        raise fail("dept", e.message) from None
    rag = parse_rag(row["rag"])
    if rag is None:
        raise fail("rag", f"{row['rag']!r} is not a RAG rating: {RAG_CHOICES}")
    if not row["summary"]:
        raise fail("summary", "is empty")
    evidence = tuple(row.get("evidence", "").split())
    for url in evidence:
        if not is_url(url):
            raise fail("evidence", f"{url!r} is not an http(s) URL")
    target_text = row.get("target_date", "")
    target = parse_iso_date(target_text) if target_text else None
    if target_text and target is None:
        raise fail("target_date", f"{target_text!r} is not a real date written YYYY-MM-DD")
    update = StatusUpdate(
        number, code, day, rag, row["summary"], row["author"], evidence, target, row.get("reason") or None, f"status/{code}.yaml"
    )
    problems = check_update(update, data, today)
    if problems:
        raise fail(problems[0].field or "date", problems[0].message)
    return update
