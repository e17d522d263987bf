"""Bulk returns as CSV, the same columns both ways: `tracker export` writes them, `import` reads them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date

from tracker.output.text import spreadsheet_cell, unspreadsheet_cell

from .domain.recommendations import Dataset
from .domain.returns import FIELDS, REQUIRED, FieldError, Return, return_from_text
from .domain.values import iso
from .errors import DataError

MAX_CELL = 16 * 1024 * 1024


def write_returns(returns: Iterable[Return]) -> str:
    """Returns as CSV; several evidence links share one cell, separated by spaces."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    for r in returns:
        text = [r.summary, r.author, " ".join(r.evidence), iso(r.target_date) or "", r.reason or ""]
        writer.writerow([r.recommendation, r.dept, r.date.isoformat(), r.rag.value, *map(spreadsheet_cell, text)])
    return buf.getvalue()


def read_returns(raw: bytes, shown: str, data: Dataset, today: date, default_author: Callable[[], str]) -> list[Return]:
    """Every row of a returns CSV (its bytes, and its name as the user gave it) as a checked return;
    the first bad row stops the whole import."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"not valid UTF-8 (byte {e.start}); save the spreadsheet as CSV UTF-8", shown) from None
    # A long summary is a long cell: the csv module's default limit (128 KiB) would refuse it.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        raise DataError("the file is empty; the first row names the columns: " + ", ".join(FIELDS), shown)
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise DataError(f"row 1: unknown column {unknown[0]!r}; the columns are: {', '.join(FIELDS)}", shown)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(f"row 1: no {missing[0]!r} column; required: {', '.join(REQUIRED)}", shown)
    author: str | None = None
    returns = []
    number = 1
    rows = enumerate(reader, start=2)
    while True:
        try:
            number, values = next(rows)
        except StopIteration:
            break
        except csv.Error as e:
            raise DataError(f"row {number + 1}: {e}", shown) from None
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataError(f"row {number}: has {len(values)} cells but the header has {len(header)}", shown)
        row = dict(zip(header, (unspreadsheet_cell(v.strip()) for v in values), strict=True))
        if not row.get("author"):
            author = author or default_author()
            row["author"] = author
        try:
            returns.append(return_from_text(row, row.get("evidence", "").split(), data, today))
        except FieldError as e:
            raise DataError(f"{shown}: row {number}, column {e.field}: {e.message}") from None
    return returns
