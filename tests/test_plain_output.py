"""Plain-text listings: aligned, wrapped to the width, and safe with any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.output.plain import table
from tracker.output.text import clean, spreadsheet_cell, unspreadsheet_cell


def test_columns_align_and_the_flexible_one_wraps_to_fit() -> None:
    out = table(
        ["#", "Title", "Due"],
        [["1", "A short one", "2021"], ["10", "A much longer title that must wrap", "none"]],
        30,
        flex=1,
        right=[0],
    )
    assert out.splitlines() == [
        " #  Title                 Due",
        "--  --------------------  ----",
        " 1  A short one           2021",
        "10  A much longer title   none",
        "    that must wrap",
    ]
    assert max(len(line) for line in out.splitlines()) <= 30


def test_a_capped_column_wraps_at_its_cap() -> None:
    out = table(["Lead", "Title"], [["DHSC, NHSE, OHID", "T"]], 80, flex=1, caps={0: 10})
    assert out.splitlines()[2:] == ["DHSC,       T", "NHSE, OHID"]


def test_a_narrow_terminal_overflows_rather_than_losing_words() -> None:
    out = table(["#", "Title"], [["1", "Commissioning standards"]], 5, flex=1)
    assert "Commissioning" in out and "standards" in out


def test_user_text_cannot_carry_escape_sequences_or_break_rows() -> None:
    assert clean("red \x1b[31mtext\x1b[0m\x07") == "red [31mtext[0m"
    out = table(["Title"], [["two\nlines"]], 80, flex=0)
    assert out.splitlines()[2] == "two lines"


@given(st.text())
def test_a_spreadsheet_cell_reads_back_as_written(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert unspreadsheet_cell(cell) == text
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
