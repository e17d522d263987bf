"""Return packs: a department's returns to fill in, as an Excel workbook or CSV, and read back.

The only module that imports openpyxl, and only when a workbook is written or read. A pack has a
row for each recommendation the department owes returns on: pre-filled (and locked, in a
workbook) with what it needs to know, and columns to fill in that `tracker import` reads.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from .csvio import read_rows, some
from .domain.rating import RETURN_RATINGS
from .domain.recommendations import Dataset
from .domain.returns import Entry
from .output.csvout import BOM
from .output.text import spreadsheet_cell

SHEET = "Returns"
HELP = "How to fill it in"

# What the department reads (locked), then what it fills in: the columns `tracker import` reads.
READ = ["recommendation", "dept", "title", "role", "current target date", "last return", "last rating", "last summary"]
FILL = ["date", "rag", "summary", "evidence", "target_date", "reason", "author"]
# Narrow enough that the sheet printed one page wide is still read at about 6 points: long text wraps.
WIDTHS = [9, 7, 24, 10, 11, 11, 9, 30, 11, 9, 34, 20, 11, 20, 14]

INSTRUCTIONS = [
    "How to fill in this return pack",
    "",
    "One row for each recommendation your department owes the board a return on. The grey columns",
    "are what the board holds now, and are locked. Fill in the white columns, one row per return:",
    "",
    "date: the date of your return (DD/MM/YYYY).",
    "rag: red, amber, green or complete (choose from the list).",
    "summary: what has been done since your last return, in a few sentences.",
    "evidence: links to published evidence (http or https), separated by spaces.",
    "target_date: only if your department leads the recommendation and its target date has moved:",
    "the new date (DD/MM/YYYY). reason: why it moved (needed with a new target date).",
    "author: who in your department is making the return.",
    "",
    "Leave a row empty if you have nothing to report on it. Do not add, remove or reorder columns.",
    "Send the file back to the board secretariat, who imports it with `tracker import`. Every row",
    "is checked before anything is recorded: one row that cannot be read is named, and nothing is",
    "recorded until it is put right.",
]


@dataclass(frozen=True)
class Row:
    """One recommendation a department owes a return on, as its pack shows it."""

    recommendation: int | str  # a review's number, or another source's item by its ref
    dept: str  # the code the return is given as: the department's own, or the body it reports for
    title: str
    role: str
    target: date | None
    last: Entry | None


def write_csv(rows: Sequence[Row]) -> bytes:
    """The pack as CSV, after a byte-order mark: a spreadsheet reads UTF-8 only after one."""
    buf = io.StringIO(BOM)
    buf.seek(0, io.SEEK_END)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(READ + FILL)
    for r in rows:
        writer.writerow([spreadsheet_cell(v) for v in _read_cells(r)] + [""] * len(FILL))
    return buf.getvalue().encode("utf-8")


def _read_cells(r: Row, dates: bool = False) -> list[object]:
    """The cells a department reads; `dates` as date values (a workbook's), else DD/MM/YYYY text."""
    last = r.last

    def day(d: date | None, none: str) -> object:
        return none if d is None else d if dates else d.strftime("%d/%m/%Y")

    return [
        r.recommendation,
        r.dept,
        r.title,
        r.role,
        day(r.target, ""),
        day(last.date if last else None, "none yet"),
        last.rag.value if last else "",
        last.summary if last else "",
    ]


def instructions(item: str = "recommendation", owner: str = "department") -> list[str]:
    """How to fill in the pack, in the words of what the board follows (an action, your organisation)."""
    if (item, owner) == ("recommendation", "department"):
        return INSTRUCTIONS
    whose = "your organisation"
    return [line.replace("your department", whose).replace("recommendation", item) for line in INSTRUCTIONS]


def write_xlsx(
    rows: Sequence[Row], code: str, name: str, by: str, words: tuple[str, str] = ("recommendation", "department")
) -> bytes:
    """A workbook: the Returns sheet (what is pre-filled is locked; RAG is a drop-down), and how to fill it in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    grey = PatternFill("solid", fgColor="DDDDDD")
    sheet.append(READ + FILL)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")  # a long name wraps, not cut short
    sheet.row_dimensions[1].height = 30
    for r in rows:
        sheet.append([_text(v) for v in _read_cells(r, dates=True)] + [None] * len(FILL))
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    last_row = len(rows) + 1
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_row=last_row), start=2):
        # Tall enough for its wrapped text: a spreadsheet does not work the height out for every
        # program that opens or prints it, and the lines of one row would print over the next's.
        lines = max((-(-len(c.value) // WIDTHS[i]) for i, c in enumerate(row) if isinstance(c.value, str)), default=1)
        sheet.row_dimensions[number].height = min(409, 15 * max(1, lines))
        for i, cell in enumerate(row):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "="
            if i < len(READ):
                cell.fill = grey
                cell.protection = Protection(locked=True)
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
            else:
                cell.protection = Protection(locked=False)
                if (READ + FILL)[i] in ("date", "target_date"):
                    cell.number_format = "DD/MM/YYYY"
    ratings = DataValidation(type="list", formula1='"' + ",".join(r.value for r in RETURN_RATINGS) + '"', allow_blank=True)
    ratings.error, ratings.errorTitle = "Choose red, amber, green or complete.", "RAG"
    ratings.showErrorMessage = True  # Excel refuses anything else as it is typed, not at import
    ratings.showDropDown = False  # (openpyxl's name: False shows the in-cell list)
    sheet.add_data_validation(ratings)
    rag_column = get_column_letter(len(READ) + FILL.index("rag") + 1)
    ratings.add(f"{rag_column}2:{rag_column}{max(last_row, 2)}")
    # The two date columns take only a date (Excel says so as it is typed, not at import).
    for field in ("date", "target_date"):
        column = get_column_letter(len(READ) + FILL.index(field) + 1)
        days = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)")
        days.error, days.errorTitle = "Type a date, DD/MM/YYYY.", field
        days.showErrorMessage = True
        sheet.add_data_validation(days)
        days.add(f"{column}2:{column}{max(last_row, 2)}")
    # Printed as people print it: A4 landscape, every column on one page's width, the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    from openpyxl.worksheet.page import PageMargins

    sheet.page_margins = PageMargins(left=0.25, right=0.25, top=0.5, bottom=0.5)  # Excel's "Narrow": larger print
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True  # locked cells stay as the board sent them; the white ones take input
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    help_sheet = book.create_sheet(HELP)
    for line in [f"Return pack for {name} ({code}), for the board on {by}", "", *instructions(*words)]:
        help_sheet.append([_text(line)])
    help_sheet.column_dimensions["A"].width = 100
    for (cell,) in help_sheet.iter_rows():  # a long line wraps within the page, rather than running off it
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(cell.value, str) and len(cell.value) > 100:
            help_sheet.row_dimensions[cell.row].height = 15 * -(-len(cell.value) // 100)
    help_sheet.page_setup.paperSize = help_sheet.PAPERSIZE_A4  # one page wide: its lines are not cut
    help_sheet.page_setup.fitToWidth, help_sheet.page_setup.fitToHeight = 1, 0
    help_sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    help_sheet["A1"].font = Font(bold=True, size=13)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _text(value: object) -> object:
    # A cell the department reads: a number, a date, or text without the characters XML 1.0 cannot
    # hold (controls, U+FFFE, U+FFFF, lone surrogates), which a return may hold and a workbook may
    # not (set as text below, so "=..." is never a formula).
    if isinstance(value, (int, date)):
        return value
    return _NOT_XML.sub("", str(value))


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read_xlsx(
    raw: bytes, shown: str, data: Dataset, today: date, default_author: Callable[[], str]
) -> tuple[list[Entry], list[str]]:
    """The filled rows of a workbook's Returns sheet (or its only sheet) as checked returns: every
    row, however far down, read as a stream (tracker/xlsx.py), in time linear in the workbook's size."""
    from .xlsx import sheet_rows

    title, names, rows = sheet_rows(raw, shown, SHEET)
    returns, notes = read_rows(rows, shown, data, today, default_author, where=f"sheet {title}, ")
    others = [n for n in names if n not in (title, HELP)]
    if others:
        notes.append(f"{shown}: read the sheet {title!r} only; left out {some([repr(n) for n in others])}")
    return returns, notes
