"""tracker.db's standing tables: written by the sync, in the same transaction as what it loads,
whenever the record or the day changes, and only then."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker import db
from tracker.commands import _context

from .conftest import REPO, Run
from .test_reports import file_returns, ret

DAY = date(2025, 6, 30)

# A few owners' returns: a revised target date, a support rated red, a rating got worse, a complete.
RETURNS = [
    ret(9, "DHSC", "2022-09-01", "red", "Strategy missed its deadline."),
    ret(9, "NHSE", "2025-04-10", "green", "Plan published."),
    ret(9, "DHSC", "2025-05-01", "amber", "Curricula late.", target_date=date(2026, 3, 31), reason="Consultation needed."),
    ret(17, "MoJ", "2025-05-15", "red", "Escorts not available."),
    ret(17, "HMPS", "2025-05-16", "red", "Staffing gaps."),
    ret(20, "DWP", "2025-06-01", "complete", "Roll-out complete."),
    ret(21, "DWP", "2025-01-10", "green", "Test running well."),
    ret(21, "DWP", "2025-06-10", "amber", "Test funding ends in March."),
]


def set_clock(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """Make DAY the day the CLI takes for today; change [0] of what this returns to move the clock."""
    clock = [DAY]
    monkeypatch.setattr(_context, "today", lambda: clock[0])
    return clock


def with_returns(workspace: Path) -> Path:
    """The workspace with the board's assessments of this repository and RETURNS."""
    shutil.copy(REPO / "assessments.yaml", workspace)
    file_returns(workspace, RETURNS)
    return workspace


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    return set_clock(monkeypatch)


@pytest.fixture
def board(workspace: Path, today: list[date]) -> Path:
    return with_returns(workspace)


def ok(run: Run, root: Path, *args: str) -> str:
    result = run(*args, root=root)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def stored(root: Path, sql: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(root / db.NAME)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def as_of(root: Path) -> set[str]:
    return {row[0] for row in stored(root, "SELECT as_of FROM standing UNION SELECT as_of FROM owner_standing")}


# -- when the standing is worked out ----------------------------------------------------------


def test_the_standing_is_worked_out_again_when_a_return_is_recorded(run: Run, board: Path) -> None:
    ok(run, board, "list")
    assert stored(board, "SELECT rag FROM owner_standing WHERE number = 12 AND dept = 'NHSE'")[0][0] == "no_return"
    ok(run, board, "update", "12", "--dept", "NHSE", "--rag", "red", "--summary", "Money late.", "--date", "2025-06-20")
    row = stored(board, "SELECT rag, last_update, as_of FROM owner_standing WHERE number = 12 AND dept = 'NHSE'")[0]
    assert tuple(row) == ("red", "2025-06-20", DAY.isoformat())


def test_the_standing_is_worked_out_again_when_a_status_file_changes(run: Run, board: Path) -> None:
    ok(run, board, "list")
    assert stored(board, "SELECT rag FROM owner_standing WHERE number = 28")[0][0] == "no_return"
    file_returns(board, [ret(28, "DfE", "2025-06-29", "green", "Guidance revised.")])  # a pull, or an edit by hand
    ok(run, board, "departments")  # any command brings tracker.db in line
    assert stored(board, "SELECT rag FROM owner_standing WHERE number = 28")[0][0] == "green"


def test_the_standing_is_worked_out_again_on_a_new_day(run: Run, board: Path, today: list[date]) -> None:
    ok(run, board, "list")
    assert as_of(board) == {DAY.isoformat()}
    assert stored(board, "SELECT rag FROM owner_standing WHERE number = 21")[0][0] == "amber"
    today[0] = date(2025, 10, 1)  # DWP's last return on 21 is now older than the 90-day window
    ok(run, board, "list")
    assert as_of(board) == {"2025-10-01"}
    assert tuple(stored(board, "SELECT rag, last_rag FROM owner_standing WHERE number = 21")[0]) == ("no_return", "amber")


def test_the_standing_is_not_worked_out_again_when_nothing_changed(
    run: Run, board: Path, today: list[date], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run, board, "report")
    written: list[object] = []
    replace = db.replace_standing
    monkeypatch.setattr(db, "replace_standing", lambda *args: written.append(args[1]) or replace(*args))
    for command in ("report", "list", "show", "chase", "trend", "paper", "departments", "load", "datasette-metadata"):
        ok(run, board, *([command, "9"] if command == "show" else [command]))
    assert written == []
    today[0] = date(2025, 7, 1)
    ok(run, board, "report")
    ok(run, board, "report")
    assert written == [date(2025, 7, 1)]


def test_a_database_that_cannot_be_written_keeps_the_standing_of_its_day(
    run: Run, board: Path, today: list[date], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run, board, "list")

    def readonly(conn: db.Connection) -> Any:
        raise db.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(db, "transaction", readonly)  # a workspace one may read but not write
    today[0] = date(2025, 7, 1)
    report = json.loads(ok(run, board, "report", "--format", "json"))
    assert report["as_of"] == "2025-07-01"
    assert as_of(board) == {DAY.isoformat()}  # it says the day it is as of


def test_a_database_another_program_is_writing_keeps_the_standing_and_answers_at_once(
    run: Run, board: Path, today: list[date]
) -> None:
    import time

    ok(run, board, "list")
    holder = sqlite3.connect(board / "tracker.db")
    try:
        holder.execute("BEGIN IMMEDIATE")  # another program writing, for longer than a command would wait
        today[0] = date(2025, 7, 1)
        started = time.perf_counter()
        report = json.loads(ok(run, board, "report", "--format", "json"))
        assert time.perf_counter() - started < 5 and report["as_of"] == "2025-07-01"
    finally:
        holder.rollback()
        holder.close()
    assert as_of(board) == {DAY.isoformat()}
    ok(run, board, "report")  # and once it has finished, the next command brings the standing to its day
    assert as_of(board) == {"2025-07-01"}
