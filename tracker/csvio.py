"""Bulk returns as CSV, the same columns both ways: `tracker export` writes them, `import` reads them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING

from tracker.output.csvout import BOM
from tracker.output.text import spreadsheet_cell, unspreadsheet_cell

from .domain.recommendations import Dataset
from .domain.returns import FIELDS, REQUIRED, Entry, EntryReader, FieldError
from .domain.values import excerpt, iso
from .errors import DataError

if TYPE_CHECKING:
    from .domain.outcomes import Value

MAX_CELL = 16 * 1024 * 1024


def write_returns(returns: Iterable[Entry], refs: Mapping[int, str] | None = None) -> str:
    """Returns as CSV that `read_returns` reads back as they are; several evidence links share one
    cell, separated by spaces."""
    buf = io.StringIO(BOM)  # for a spreadsheet, which reads UTF-8 only after one
    buf.seek(0, io.SEEK_END)
    writer = csv.writer(buf, lineterminator="\n")
    # A cell holding a bare carriage return is quoted, or a reader ends the row there: Python 3.12
    # does so itself, 3.10 and 3.11 only when told to quote every cell of the row.
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(FIELDS)
    for r in returns:
        text = [r.summary, r.author, " ".join(r.evidence), iso(r.target_date) or "", r.reason or ""]
        row = [
            refs.get(r.recommendation) or str(r.recommendation) if refs else str(r.recommendation),
            r.dept,
            r.date.isoformat(),
            r.rag.value,
            *map(cell, text),
        ]
        (quoted if any("\r" in t for t in text) else writer).writerow(row)
    return buf.getvalue()


def cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as the text it is (see spreadsheet_cell), and that import does
    not take for a spreadsheet's error: words that are one (`#N/A`) get a quote before them too."""
    text = spreadsheet_cell(text)
    return "'" + text if text[:1] in ("#", "'") and spreadsheet_error(text.lstrip("'")) else text


def uncell(text: str) -> str:
    """The value `cell` wrote."""
    if text[:1] == "'" and spreadsheet_error(text.lstrip("'")):
        text = text[1:]
    return unspreadsheet_cell(text)


def some(names: list[str], most: int = 10) -> str:
    """The first `most` of `names` and how many more: a note stays one short line."""
    return ", ".join(names[:most]) + (f", and {len(names) - most:,} more" if len(names) > most else "")


def spreadsheet_error(text: str) -> bool:
    """Whether a cell shows what a spreadsheet shows for a formula that failed: never a department's words."""
    if text[:1] != "#":
        return False
    upper = text.upper()
    return upper in EXCEL_ERRORS or upper.startswith("#GETTING_DATA") or _ERROR_WORD.fullmatch(upper) is not None


_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def uk_date(text: str) -> str:
    """A date as a spreadsheet in England writes it, DD/MM/YYYY, as YYYY-MM-DD; anything else as it is."""
    m = _UK_DATE.fullmatch(text.strip())
    return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}" if m else text


def read_returns(
    raw: bytes, shown: str, data: Dataset, today: date, default_author: Callable[[], str]
) -> tuple[list[Entry], list[str]]:
    """Every row of a returns CSV (its bytes, and its name as the user gave it) as a checked return,
    and notes on what was assumed; the first bad row stops the whole import.

    Read as Excel saves CSV: UTF-8 with or without a byte-order mark, else Windows-1252 (said in a
    note); dates as YYYY-MM-DD or DD/MM/YYYY; columns it does not know are left out (said in a note).
    """
    notes = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16's byte-order mark: Excel's "Unicode Text"
        raise DataError('is UTF-16 text (Excel\'s "Unicode Text"), not CSV; save it as "CSV UTF-8"', shown)
    encoding = "utf-8-sig"
    try:  # the whole file checked first, then read a line at a time
        if not raw.isascii():  # ASCII is UTF-8 as it is
            raw.decode(encoding)
    except UnicodeDecodeError:
        _stray_bytes(raw, shown)  # UTF-8 but for a byte or two: named, never read as Windows-1252
        encoding = "cp1252"
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise DataError(
                f"line {line}: neither UTF-8 nor Windows-1252 (byte 0x{raw[e.start]:02x}); save it as CSV UTF-8", shown
            ) from None
        notes.append(f'{shown} is not UTF-8: read as Windows-1252 (Excel\'s "CSV"); "CSV UTF-8" avoids the guess')
    # A long summary is a long cell: the csv module's default limit (128 KiB) would refuse it.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 0
        # Decoded as it is read, not whole: a StringIO of the text would hold four bytes a character.
        with io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="") as lines:
            try:
                # strict: a quoted cell never closed is refused, not read on to the end of the file as one cell
                for number, values in enumerate(csv.reader(lines, strict=True), start=1):
                    yield number, values
            except csv.Error as e:
                raise DataError(f"row {number + 1}: {csv_error(e)}", shown) from None

    returns, more = read_rows(rows(), shown, data, today, default_author)
    return returns, notes + more


def csv_error(e: csv.Error) -> str:
    """What the csv module's complaint means, in words a spreadsheet's user reads."""
    said = str(e)
    if "unexpected end of data" in said:
        return 'a quoted cell is never closed (a " with no " after it): nothing was imported'
    if "expected after" in said:
        return 'a quoted cell has more after its closing " (write "" for a " inside a quoted cell)'
    return said


def _stray_bytes(raw: bytes, shown: str) -> None:
    """DataError naming the first row that is not UTF-8, if the rest of the file is UTF-8 (it holds
    characters written as UTF-8, or UTF-8's byte-order mark): a stray byte there would otherwise
    have every row read as Windows-1252, each é as Ã©."""
    text = raw.decode("utf-8", errors="surrogateescape")
    if not (raw.startswith(b"\xef\xbb\xbf") or any(c > "\x7f" and not "\udc80" <= c <= "\udcff" for c in text)):
        return  # no character in the file is written as UTF-8: Windows-1252, as Excel's plain "CSV" is
    bad = next(i for i, c in enumerate(text) if "\udc80" <= c <= "\udcff")
    byte = ord(text[bad]) - 0xDC00
    rows = enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), start=1)
    try:
        where = f"row {next((n for n, values in rows if any(chr(0xDC80) <= c <= chr(0xDCFF) for v in values for c in v)), 1)}"
    except csv.Error:  # a file the csv module cannot read (a NUL, on Python 3.10): its line, then
        where = f"line {text.count(chr(10), 0, bad) + 1}"
    raise DataError(f"{where}: byte 0x{byte:02x} is not UTF-8, where the rest of the file is; save it as CSV UTF-8", shown)


# The columns of a return pack (see pack.py) that are there for the department to read, not to import.
PACK_COLUMNS = ("title", "role", "current target date", "last return", "last rating", "last summary")
# What a spreadsheet shows for a formula that failed: never a department's words.
EXCEL_ERRORS = frozenset({"#N/A", "#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})
# And the errors newer spreadsheets add (#BLOCKED!, #CONNECT!, #FIELD!, #BUSY!, #PYTHON!, ...): one
# word in capitals after the #, ending in ! or ?. Export quotes words of this shape, so they round-trip.
_ERROR_WORD = re.compile(r"#[A-Z][A-Z0-9_/.]*[!?]")


def read_rows(
    rows: Iterator[tuple[int, list[str]]],
    shown: str,
    data: Dataset,
    today: date,
    default_author: Callable[[], str],
    where: str = "",
) -> tuple[list[Entry], list[str]]:
    """Returns from the rows of a sheet (number, cells as text), the first being the header; and
    notes on what was left out. `where` names the sheet in errors: "sheet Returns, "."""
    notes = []
    first = next(rows, None)
    header = [h.strip().lower() for h in first[1]] if first is not None else []
    if not any(header):
        raise DataError("the file is empty; the first row names the columns: " + ", ".join(FIELDS), shown)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(f"{where}row 1: no {missing[0]!r} column; required: {', '.join(REQUIRED)}", shown)
    repeated = sorted({h for h in header if h in FIELDS and header.count(h) > 1})
    if repeated:
        raise DataError(f"{where}row 1: the column {repeated[0]!r} appears twice", shown)
    unknown = [h or f"(column {i + 1}, no name)" for i, h in enumerate(header) if h not in FIELDS and h not in PACK_COLUMNS]
    if unknown:
        notes.append(f"{shown}: left out the columns tracker does not read: {some(unknown)}")
    author: str | None = None
    returns = []
    bad: list[tuple[int, str]] = []  # every row that cannot be used is named, not just the first
    places = tuple(header.index(f) if f in header else -1 for f in FIELDS)  # where each field is, found once
    fields, read = itemgetter(*places), EntryReader(data, today)
    # The columns a department fills in: a row of the header's width with all of them empty is left
    # out at once (a pack's row it had nothing to say on; a sheet of many such rows), as _row would.
    fill = [places[FIELDS.index(f)] for f in ("date", "rag", "summary", "evidence", "target_date", "reason")]
    fill = [i for i in fill if i >= 0]
    width = len(header)
    for number, values in rows:
        if len(values) == width and not any(values[i] and not values[i].isspace() for i in fill):
            continue
        try:
            ret = _row(header, places, fields, number, values, shown, where, read)
        except MonthFirst:
            raise
        except DataError as e:
            bad.append((number, e.message if e.file is None else str(e)))
            continue
        if ret is None:
            continue
        if not ret.author:
            author = author or default_author()
            ret = ret._replace(author=author)
        returns.append(ret)
    if bad:
        more = f" (and {len(bad) - 1} more: rows {', '.join(str(n) for n, _ in bad[1:9])}{', …' if len(bad) > 9 else ''})"
        raise DataError(bad[0][1] + (more if len(bad) > 1 else ""))
    return returns, notes


def _row(
    header: list[str],
    places: tuple[int, ...],
    fields: Callable[[list[str]], tuple[str, ...]],
    number: int,
    values: list[str],
    shown: str,
    where: str,
    read: EntryReader,
) -> Entry | None:
    """One row as a checked return (its author left empty when the row gives none), or None if
    empty; `places` are where each of FIELDS is among the cells (-1: not there, read as ""), and
    `fields` picks them out."""
    cells = list(map(str.strip, values))
    if len(cells) > len(header) and not any(cells[len(header) :]):
        cells = cells[: len(header)]  # empty cells past the last column, as spreadsheets save them
    if not any(cells):
        return None
    if len(cells) != len(header):
        raise DataError(f"{where}row {number}: has {len(cells)} cells but the header has {len(header)}", shown)
    # Whether any cell starts with ' or #, asked of all at once: few do, and an import reads many rows.
    starts = "\x00" + "\x00".join(cells)
    cells.append("")  # what place -1, a column the sheet does not have, reads
    raw = cells
    if "\x00'" in starts:
        cells = [uncell(c) for c in cells]
    rec_text, dept, day, rag, summary, author, evidence, target, reason = fields(cells)
    if not (day or rag or summary or evidence or target or reason):  # none of the columns a department fills in
        return None  # a pack's row the department left empty
    if "\x00#" in starts:  # a spreadsheet's error as the cell holds it: `'#N/A` is the words #N/A
        for field, i in zip(FIELDS, places, strict=True):
            if spreadsheet_error(value := raw[i]):
                raise DataError(f"{shown}: {where}row {number}, column {field}: holds the spreadsheet error {value}, not a value")
    if "/" in day:
        day = _uk(day, "date", places, values, number, shown, where)
    if "/" in target:
        target = _uk(target, "target_date", places, values, number, shown, where)
    if not day:
        raise DataError(f"{shown}: {where}row {number}, column date: is empty; give the date of the return (DD/MM/YYYY)")
    try:  # the author checked with a stand-in if there is none: the caller fills in who imports it
        ret = read(rec_text, dept, day, rag, summary, author or "-", evidence.split(), target, reason)
    except FieldError as e:
        raise DataError(f"{shown}: {where}row {number}, column {e.field}: {e.message}") from None
    return ret if author else ret._replace(author="")


def _uk(text: str, field: str, places: tuple[int, ...], values: list[str], number: int, shown: str, where: str) -> str:
    """A date cell written DD/MM/YYYY as YYYY-MM-DD; any other as it is."""
    if not _UK_DATE.fullmatch(text):
        return text
    try:
        iso = uk_date(text)
        date.fromisoformat(iso)
    except ValueError:
        quoted = excerpt(values[places[FIELDS.index(field)]].strip())
        m = _UK_DATE.fullmatch(text)
        if m and _real(int(m[3]), int(m[1]), int(m[2])):  # a real date only month-first: the whole file is
            raise MonthFirst(
                f"{shown}: {where}row {number}, column {field}: {quoted} is a date written month-first, as a US"
                " spreadsheet writes them, so none of the file's dates can be read as DD/MM/YYYY (12/02/2026 would be"
                " read as 12 February); save it with dates as DD/MM/YYYY or YYYY-MM-DD"
            ) from None
        raise DataError(f"{shown}: {where}row {number}, column {field}: {quoted} is not a real date (DD/MM/YYYY)") from None
    return iso


class MonthFirst(DataError):
    """A file whose dates are written month-first: refused whole, whatever its other rows say."""


def _real(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# The columns of an outcome values CSV (`tracker outcome import`): note may be left out.
VALUE_COLUMNS = ("measure", "period", "value", "source", "note")


def read_outcome_values(raw: bytes, shown: str, today: date) -> list[Value]:
    """Every row of an outcome values CSV as a value recorded `today`, each field checked as it is
    read (its measure is checked against the framework when recorded); the first bad row stops the
    whole import, named by its line and field. UTF-8 (a byte-order mark allowed) or plain ASCII."""
    from .domain.outcomes import Value, parse_number, parse_period
    from .domain.values import is_url

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError('is UTF-16 text (Excel\'s "Unicode Text"), not CSV; save it as "CSV UTF-8"', shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(f"byte 0x{raw[e.start]:02x} is not UTF-8; save it as CSV UTF-8", shown, line) from None
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    values: list[Value] = []
    line = 0  # the last line read
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if not any(header):
            raise DataError("the file is empty; the first row names the columns: " + ", ".join(VALUE_COLUMNS), shown)
        missing = [c for c in VALUE_COLUMNS[:4] if c not in header]
        if missing:
            raise DataError(f"no {missing[0]!r} column; required: {', '.join(VALUE_COLUMNS[:4])}", shown, 1)
        unknown = [h or "(no name)" for h in header if h not in VALUE_COLUMNS]
        if unknown or len(set(header)) != len(header):
            what = f"the column {unknown[0]!r} is not one tracker reads" if unknown else "a column appears twice"
            raise DataError(f"{what}; the columns are: {', '.join(VALUE_COLUMNS)}", shown, 1)
        line = reader.line_num
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise DataError(f"has {len(row)} cells where the header has {len(header)}", shown, line)
            cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
            for field in VALUE_COLUMNS[:4]:
                if not cells[field]:
                    raise DataError(f"{field}: is empty", shown, line)
            if any("\x00" in c for c in cells.values()):
                raise DataError("holds a NUL character, which tracker refuses", shown, line)
            try:
                begun = parse_period(cells["period"])[0]
            except ValueError as e:
                raise DataError(f"period: {e}", shown, line) from None
            if begun > today:
                raise DataError(
                    f"period: {cells['period']} has not begun on {today}; a value is recorded once published", shown, line
                )
            try:
                number = parse_number(cells["value"])
            except ValueError as e:
                raise DataError(f"value: {e}", shown, line) from None
            if not is_url(cells["source"]):
                raise DataError(f"source: {excerpt(cells['source'])} is not an http(s) URL", shown, line)
            note = " ".join(cells.get("note", "").split()) or None
            values.append(Value(cells["measure"], cells["period"], number, cells["source"], today, note, shown, line))
    except csv.Error as e:  # the row after the last one read
        raise DataError(csv_error(e), shown, line + 1) from None
    return values
