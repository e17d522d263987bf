"""Reading a workbook's cells as text, a row at a time: what `tracker import` needs of a return pack.

A workbook is a zip of XML files. Its worksheet is read as a stream by expat, a row at a time, in
time and memory linear in its size (openpyxl, which writes packs, took 20 s for a large one and
held every row); nothing is searched by regular expression over the raw XML. A document type
declaration (where entities would be) is refused, and so is a cell that names text the workbook
does not hold, whatever its quote style. Every fault of the zip or of the XML is one DataError.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING

from .errors import DataError

if TYPE_CHECKING:
    from xml.parsers.expat import XMLParserType

MAX_UNPACKED = 256 * 2**20
MAX_COLUMNS = 16_384  # Excel's last column, XFD
CHUNK = 1 << 16


class Damaged(Exception):
    """The workbook is not one that can be read; the message says why."""


class TooWide(Exception):
    """A row has a cell past the header's last column: (row number, its width)."""


def sheet_rows(raw: bytes, shown: str, wanted: str) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]]:
    """The sheet named `wanted` (else the only sheet) of the workbook `raw`: its name, the names of
    all its sheets, and its rows (number, cells as text: a date as YYYY-MM-DD, a whole number
    without ".0") as they are read. Raises DataError for a damaged workbook, now or as rows are read."""

    def refuse(why: str) -> DataError:
        return DataError(f"the workbook cannot be read ({why}); save it again from Excel", shown)

    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        infos = {i.filename: i for i in z.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        raise DataError(f"not an Excel workbook that can be read ({_short(e)}); save it as .xlsx", shown) from None
    unpacked = sum(i.file_size for i in infos.values())
    if unpacked > MAX_UNPACKED:
        raise DataError(f"unpacks to {unpacked // 2**20} MiB, over the {MAX_UNPACKED // 2**20} MiB a return pack needs", shown)

    def stream(name: str, handlers: _Handlers) -> None:
        info = infos.get(name)
        if info is None:
            raise Damaged(f"it has no {name}")
        try:
            with z.open(info) as f:
                _parse(f, handlers)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as e:
            raise Damaged(f"{name}: {_short(e)}") from None

    try:
        # Every part read counts towards one bound on the workbook's elements (MAX_ELEMENTS).
        book = _Workbook()
        stream("xl/workbook.xml", book)
        rels = _Relations()
        rels.elements = book.elements
        stream("xl/_rels/workbook.xml.rels", rels)
        names = [name for name, _ in book.sheets]
        chosen = [s for s in book.sheets if s[0] == wanted] or (book.sheets if len(book.sheets) == 1 else [])
        if not chosen:
            listed = ", ".join(names[:10]) + (f", and {len(names) - 10:,} more" if len(names) > 10 else "")
            raise DataError(f"no sheet named {wanted!r} (its sheets: {listed})", shown)
        name, rid = chosen[0]
        target = rels.targets.get(rid)
        if target is None:
            raise Damaged(f"the sheet {name!r} has no part")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        strings = _Strings()
        strings.elements = rels.elements
        if "xl/sharedStrings.xml" in infos:
            stream("xl/sharedStrings.xml", strings)
        styles = _Styles()
        styles.elements = strings.elements
        if "xl/styles.xml" in infos:
            stream("xl/styles.xml", styles)
    except Damaged as e:
        raise refuse(str(e)) from None
    sheet = _Sheet(strings.strings, styles.dates(), book.date1904)
    sheet.elements = styles.elements  # the bound is on every part together
    if path not in infos:
        raise refuse(f"it has no {path}")

    def parsed() -> Iterator[tuple[int, list[str]]]:
        with z.open(infos[path]) as f:
            parser = _parser(sheet)
            while chunk := f.read(CHUNK):
                parser.Parse(chunk, False)
                _too_many(sheet)
                yield from sheet.take()
            parser.Parse(b"", True)
            yield from sheet.take()

    def rows() -> Iterator[tuple[int, list[str]]]:
        header = True
        try:
            for number, cells in parsed():
                if header:
                    sheet.limit, header = len(cells), False
                elif len(cells) < sheet.limit:  # its last cells empty, as the file leaves them out
                    cells += [""] * (sheet.limit - len(cells))
                yield number, cells
        except TooWide as e:
            number, width = e.args
            raise DataError(f"sheet {name}, row {number}: has {width} cells but the header has {sheet.limit}", shown) from None
        except Damaged as e:
            raise refuse(str(e)) from None
        except _expat_errors() as e:
            raise refuse(f"{path}: {_short(e)}") from None
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as e:
            raise refuse(f"{path}: {_short(e)}") from None

    return name, names, rows()


def _short(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text if len(text) <= 80 else text[:79] + "…"


# More elements than any return pack holds (800,000 rows of two cells are 4,000,000): reading more
# would take long for nothing, so the workbook is refused once its XML has named this many.
MAX_ELEMENTS = 6_000_000


class _Handlers:
    elements = 0  # how many elements the parts read so far have named: each handler counts its own

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _expat_errors() -> tuple[type[Exception], ...]:
    from xml.parsers.expat import ExpatError

    return (ExpatError,)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _parser(h: _Handlers) -> XMLParserType:
    from xml.parsers import expat

    p = expat.ParserCreate()
    p.buffer_text = True
    p.buffer_size = CHUNK
    # Each handler takes a prefixed name (x:row) apart itself: most workbooks use none.
    p.StartElementHandler = h.start
    p.EndElementHandler = h.end
    p.CharacterDataHandler = h.text

    def no_doctype(*_: object) -> None:
        raise Damaged("it declares a document type; a workbook's XML has none")

    p.StartDoctypeDeclHandler = no_doctype
    p.EntityDeclHandler = no_doctype
    return p


def _too_many(h: _Handlers) -> None:
    if h.elements > MAX_ELEMENTS:
        raise Damaged(f"its XML has over {MAX_ELEMENTS:,} elements, more than a return pack could hold")


def _parse(f: IO[bytes], h: _Handlers) -> None:
    parser = _parser(h)
    try:
        while chunk := f.read(CHUNK):
            parser.Parse(chunk, False)
            _too_many(h)
        parser.Parse(b"", True)
    except _expat_errors() as e:
        raise Damaged(_short(e)) from None


class _Workbook(_Handlers):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        name = _local(name) if ":" in name else name
        if name == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rid))
        elif name == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _Relations(_Handlers):
    def __init__(self) -> None:
        self.targets: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        name = _local(name) if ":" in name else name
        if name == "Relationship":
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")


class _Strings(_Handlers):
    """The shared strings: each <si>'s text, its runs joined, its phonetic guide left out."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.in_t = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        name = _local(name) if ":" in name else name
        if name == "si":
            self.parts = []
        elif name == "t":
            self.in_t = not self.phonetic
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        name = _local(name) if ":" in name else name
        if name == "si":
            self.strings.append("".join(self.parts))
        elif name == "t":
            self.in_t = False
        elif name == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.in_t:
            self.parts.append(data)


# Excel's own number formats that show a date.
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_date_format(code: str) -> bool:
    """Whether a number format shows a date (a day, a month or a year), as Excel reads it."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bool(re.search(r"[dy]", bare)) or ("m" in bare and not re.search(r"[hs]", bare))


class _Styles(_Handlers):
    """Which cell styles show a date: the number format of each <xf> of <cellXfs>."""

    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.xfs: list[int] = []
        self.in_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        name = _local(name) if ":" in name else name
        if name == "numFmt":
            try:
                self.formats[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif name == "cellXfs":
            self.in_xfs = True
        elif name == "xf" and self.in_xfs:
            try:
                self.xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.xfs.append(0)

    def end(self, name: str) -> None:
        name = _local(name) if ":" in name else name
        if name == "cellXfs":
            self.in_xfs = False

    def dates(self) -> frozenset[int]:
        """The indexes of the styles that show a date."""
        return frozenset(
            i
            for i, fmt in enumerate(self.xfs)
            if (fmt in self.formats and is_date_format(self.formats[fmt])) or (fmt not in self.formats and fmt in _BUILTIN_DATES)
        )


_COLUMN = re.compile(r"([A-Za-z]{1,3})")
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


_DIGITS = "0123456789"


def column(ref: str) -> int | None:
    """The column (0 for A) of a cell reference such as "K40"; None if it names none."""
    m = _COLUMN.match(ref)
    if m is None:
        return None
    n = 0
    for ch in m[1].upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


# Each column's letters, looked up rather than worked out for every cell: A to ZZ.
_LETTERS = [chr(65 + i) for i in range(26)]
_columns = {name: i for i, name in enumerate(_LETTERS + [a + b for a in _LETTERS for b in _LETTERS])}


class _Sheet(_Handlers):
    """A worksheet's rows as they are parsed: each row's cells as text, by column."""

    def __init__(self, strings: list[str], dates: frozenset[int], date1904: bool) -> None:
        self.strings, self.dates, self.date1904 = strings, dates, date1904
        self.done: list[tuple[int, list[str]]] = []
        self.row: dict[int, str] = {}
        self.number = 0
        self.col = -1
        self.type = "n"
        self.style = 0
        self.parts: list[str] = []
        self.collect = False
        self.inline = 0
        self.in_cell = False
        self.limit = MAX_COLUMNS  # once the header is read, its width: a row past it is refused

    def take(self) -> list[tuple[int, list[str]]]:
        done, self.done = self.done, []
        return done

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if ":" in name:
            name = _local(name)
        if name == "v":
            self.collect = self.in_cell
        elif name == "c":
            ref = attrs.get("r")
            col = _columns.get(ref.rstrip(_DIGITS)) if ref else self.col + 1
            if col is None:
                col = column(ref or "")
            if col is None or not 0 <= col < MAX_COLUMNS:
                raise Damaged(f"row {self.number}: a cell names no column Excel has ({(ref or '')[:20]!r})")
            self.col, self.type, self.in_cell, self.parts = col, attrs.get("t", "n"), True, []
            style = attrs.get("s")
            try:
                self.style = int(style) if style else 0
            except ValueError:
                self.style = 0
        elif name == "row":
            try:
                self.number = int(attrs["r"]) if "r" in attrs else self.number + 1
            except ValueError:
                raise Damaged(f"a row is numbered {attrs['r'][:20]!r}") from None
            self.row, self.col = {}, -1
        elif self.in_cell and name == "is":
            self.inline += 1
        elif self.in_cell and name == "t" and self.inline:
            self.collect = True
        elif name == "rPh" and self.inline:
            self.inline += 100  # a phonetic guide in an inline string: not the cell's text

    def end(self, name: str) -> None:
        if ":" in name:
            name = _local(name)
        if name == "v" or name == "t":
            self.collect = False
        elif name == "c":
            self.in_cell = False
            value = self.value("".join(self.parts))
            if value and not value.isspace():  # a cell of spaces is empty, as import reads it
                self.row[self.col] = value
        elif name == "row":
            if not self.row:  # nothing in it (formatted, say): import would leave it out
                return
            width = max(self.row) + 1
            if width > self.limit:
                raise TooWide(self.number, width)
            self.done.append((self.number, [self.row.get(i, "") for i in range(width)]))
        elif name == "is":
            self.inline = max(0, self.inline - 1)
        elif name == "rPh" and self.inline >= 100:
            self.inline -= 100

    def text(self, data: str) -> None:
        if self.collect:
            self.parts.append(data)

    def value(self, text: str) -> str:
        kind = self.type
        if kind == "s":
            try:
                index = int(text)
            except ValueError:
                raise Damaged(f"row {self.number}: a cell names text by {text[:20]!r}, not a number") from None
            if not 0 <= index < len(self.strings):
                raise Damaged(f"row {self.number}: a cell names text that is not in it")
            return _unescape(self.strings[index])
        if kind in ("inlineStr", "str", "e"):
            return _unescape(text)
        if kind == "b":
            return {"1": "TRUE", "0": "FALSE"}.get(text.strip(), text)
        if kind == "d":
            return text.strip().partition("T")[0]
        text = text.strip()
        if not text:
            return ""
        return self.number_text(text)

    def number_text(self, text: str) -> str:
        if text.isdigit() and self.style not in self.dates:  # most numbers: a whole one
            return str(int(text))
        try:
            number = float(text)
        except ValueError:
            raise Damaged(f"row {self.number}: a number cell holds {text[:20]!r}") from None
        if self.style in self.dates and number == number and abs(number) < 3_000_000:
            try:
                return excel_date(number, self.date1904).isoformat()
            except (OverflowError, ValueError):  # past 9999 or before year 1: no day of any calendar
                raise Damaged(f"row {self.number}: a date cell holds {text[:20]!r}, which is no date") from None
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return text if re.fullmatch(r"-?\d+(\.\d+)?", text) else repr(number)


def excel_date(serial: float, date1904: bool = False) -> date:
    """The day a spreadsheet's date number stands for (the time of day left out)."""
    days = int(serial // 1)
    if date1904:
        return date(1904, 1, 1) + timedelta(days=days)
    # Excel counts 29 February 1900, a day that never was: before it, days are one later.
    return date(1899, 12, 30 if days >= 60 else 31) + timedelta(days=days)


def _unescape(text: str) -> str:
    # Excel writes a character XML cannot hold as _xHHHH_ (a line break in a cell as _x000D_).
    # A surrogate (_xD800_) is no character of its own: left as it is written.
    return _EXCEL_ESCAPE.sub(_escaped, text) if "_x" in text else text


def _escaped(m: re.Match[str]) -> str:
    code = int(m[1], 16)
    return m[0] if 0xD800 <= code <= 0xDFFF else chr(code)
