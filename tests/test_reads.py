"""Reads that do not grow with the history: one connection per command, a handful of queries, the
database narrowing the history to the few entries the standing rules read, `show` paging."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tracker import db
from tracker.domain.corrections import Correction
from tracker.domain.rating import RETURN_RATINGS, Rating
from tracker.domain.recommendations import owners_on
from tracker.domain.returns import Entry, status_file
from tracker.domain.standing import Latest, points, standings
from tracker.standings import standings_over
from tracker.yamlio.blocks import appended, block, file_header

from .conftest import OpenDb, Run, load_dataset
from .test_reports import with_board

# -- a long, awkward history -------------------------------------------------------------------


def write_history(root: Path, seed: int, count: int = 400) -> None:
    """Returns and assessments on every recommendation, on a few dates (so that many share one),
    in no order of date within their files, some revising target dates; then corrections that
    withdraw some and change the rating of others."""
    rng = random.Random(seed)
    data, _ = load_dataset(root / "recommendations.yaml")
    days = sorted({date(2021, 9, 1) + timedelta(days=rng.randrange(1400)) for _ in range(25)})
    by_file: dict[str, list[Entry]] = {}
    for i in range(count):
        rec = rng.choice(data.recommendations)
        day = rng.choice(days)
        board = rng.random() < 0.15
        dept = "" if board else rng.choice(owners_on(rec, data.registry, day))
        revised = not board and rng.random() < 0.2 and dept in owners_on(rec, data.registry, day, ("lead",))
        by_file.setdefault(status_file(dept), []).append(
            Entry(
                rec.number,
                dept,
                day,
                rng.choice(RETURN_RATINGS),
                f"Entry {i}.",
                "A secretary",
                tuple(f"https://example.org/{i}/{n}" for n in range(rng.randrange(3))),
                day + timedelta(days=rng.randrange(30, 300)) if revised else None,
                "Delayed." if revised else None,
            )
        )
    for name, entries in by_file.items():
        code = name.removeprefix("status/").removesuffix(".yaml") if name.startswith("status/") else ""
        header = file_header(code, data.registry.departments[code].name) if code else "# The board's assessments.\n"
        raw, lines = appended(None, header, [block(r) for r in entries])
        corrections: list[Correction] = []
        for r, line in zip(entries, lines, strict=True):
            if rng.random() < 0.1:
                kind = rng.choice(["withdraw", "correct"])
                rag = rng.choice(RETURN_RATINGS) if kind == "correct" else None
                corrections.append(Correction(kind, r.recommendation, r.date, line, "A mistake.", "A secretary", r.date, rag))
        raw, _ = appended(raw, header, [block(c) for c in corrections])
        (root / name).write_bytes(raw)


def from_everything(conn: db.Connection, day: date) -> Latest:
    """What the rules need on `day`, from every entry in force rather than the database's narrowing."""
    returns: dict[tuple[int, str], list[Entry]] = {}
    revisions: dict[int, list[Entry]] = {}
    assessments: dict[int, list[Entry]] = {}
    for r in db.returns(conn):
        if r.date <= day:
            returns.setdefault((r.recommendation, r.dept), []).append(r)
            if r.target_date is not None:
                revisions.setdefault(r.recommendation, []).append(r)
    for n in range(1, 33):
        assessments[n] = [a for a in db.assessments(conn, n) if a.date <= day]
    return Latest(returns, revisions, assessments)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_gives_the_rules_what_the_whole_history_would(workspace: Path, open_db: OpenDb, seed: int) -> None:
    write_history(workspace, seed)
    conn = open_db(workspace)
    data = db.dataset(conn)
    entries = db.returns(conn)
    assert len({(r.recommendation, r.dept, r.date) for r in entries}) < len(entries)  # returns that share a date
    assert any(r.target_date for r in entries) and any(db.assessments(conn, n) for n in range(1, 33))
    dates = sorted({r.date for r in entries} | {r.date - timedelta(days=1) for r in entries})
    dates += points(data, date(2026, 1, 1))  # the trend's dates, all in one look
    for day, narrowed in standings_over(conn, data, dates):
        assert narrowed == standings(data, day, from_everything(conn, day)), day


def test_the_trend_agrees_with_the_report_at_every_meeting_and_quarter(run: Run, workspace: Path) -> None:
    write_history(workspace, 4)
    for boarded in (False, True):
        if boarded:
            with_board(workspace)  # meetings 2025-03-31, 2025-07-03, 2025-10-02
        trend = json.loads(run("trend", "--as-of", "2025-12-31", "--format", "json", root=workspace).stdout)
        assert trend["by"] == ("meeting" if boarded else "quarter") and len(trend["points"]) == (4 if boarded else 18)
        for point in trend["points"]:
            report = json.loads(run("report", "--as-of", point["date"], "--format", "json", root=workspace).stdout)
            assert {k: v for k, v in point.items() if k != "date"} == report["summary"], point["date"]


# -- one connection, a handful of queries -----------------------------------------------------


class Counted:
    def __init__(self) -> None:
        self.connections = 0
        self.statements: list[str] = []

    def reset(self) -> None:
        self.connections, self.statements = 0, []

    @property
    def queries(self) -> int:
        """Statements that read or write data (not PRAGMAs, not BEGIN and COMMIT)."""
        return sum(1 for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "DELETE", "UPDATE")))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counted]:
    """Every connection tracker opens in this process, and every statement it runs."""
    found = Counted()
    connect = db.connect

    def counting(path: Path, readonly: bool = False) -> db.Connection:
        conn = connect(path, readonly)
        found.connections += 1
        conn.set_trace_callback(found.statements.append)
        return conn

    monkeypatch.setattr(db, "connect", counting)
    yield found


READS: list[list[str]] = [
    ["report"],
    ["report", "--format", "json", "--as-of", "2024-06-30"],
    ["trend"],
    ["paper"],
    ["paper", "--format", "html"],
    ["show", "9"],
    ["show", "9", "--all"],
    ["chase"],
    ["list"],
    ["departments"],
    ["datasette-metadata"],
    ["pack", "--dept", "DWP"],
    ["export"],
    ["check"],
    ["load"],
]


def queries_of(run: Run, root: Path, counted: Counted, args: list[str]) -> int:
    assert run("load", root=root).exit_code == 0  # the database in line: what is counted is the command's own reading
    counted.reset()
    result = run(*args, root=root)
    assert result.exit_code == 0, result.stderr
    assert counted.connections == 1, f"{args}: {counted.connections} connections"
    return counted.queries


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_opens_the_database_once_and_asks_a_handful_of_queries_whatever_the_history(
    run: Run, workspace: Path, counted: Counted, args: list[str]
) -> None:
    quiet = queries_of(run, workspace, counted, args)  # no returns at all
    assert quiet <= 20, counted.statements
    with_board(workspace)
    write_history(workspace, 5, count=200)
    busy = queries_of(run, workspace, counted, args)
    assert busy <= 20, counted.statements
    write_history(workspace, 6, count=1000)  # five times the returns and the corrections
    assert queries_of(run, workspace, counted, args) == busy, counted.statements


def test_a_report_works_out_every_standing_in_one_query(run: Run, workspace: Path, counted: Counted) -> None:
    write_history(workspace, 6)
    queries_of(run, workspace, counted, ["report"])
    returns = [s for s in counted.statements if "FROM returns" in s or "returns AS r" in s]
    assert len(returns) == 1, returns


# -- show pages its history ---------------------------------------------------------------------


def show_json(run: Run, root: Path, *args: str) -> dict[str, Any]:
    result = run("show", *args, "--format", "json", root=root)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_show_lists_each_owners_newest_twenty_and_says_how_many_more(run: Run, workspace: Path) -> None:
    from .test_reports import file_returns, ret

    start = date(2022, 1, 1)
    dhsc = [ret(9, "DHSC", (start + timedelta(days=i)).isoformat(), ["red", "amber"][i % 2], f"Return {i}.") for i in range(45)]
    file_returns(workspace, [*dhsc, ret(9, "NHSE", "2024-01-01", "green", "The only one.")])
    assessments = [Entry(9, "", start + timedelta(days=i), Rating.GREEN, f"View {i}.", "Board") for i in range(23)]
    (workspace / "assessments.yaml").write_bytes(appended(None, "", [block(a) for a in assessments])[0])

    text = run("show", "9", root=workspace).stdout
    assert "DHSC: 45 returns" in text and "NHSE: 1 return\n" in text
    assert "Return 44." in text and "Return 25." in text and "Return 24." not in text
    assert "  2022-01-26  AMBER  (was red: better)" in text  # the oldest shown still says what it replaced
    assert "  and 25 earlier returns: tracker show 9 --all lists them all" in text
    assert "  and 3 earlier assessments: tracker show 9 --all lists them all" in text
    assert text.count("earlier") == 2  # nothing under NHSE, which has one
    everything = run("show", "9", "--all", root=workspace).stdout
    assert "Return 0." in everything and "View 0." in everything and "earlier" not in everything
    assert everything.count("\n  20") > text.count("\n  20")

    document = show_json(run, workspace, "9")
    owners = {o["dept"]: o for o in document["owners"]}
    assert (len(owners["DHSC"]["returns"]), owners["DHSC"]["returns_count"]) == (20, 45)
    assert owners["DHSC"]["returns"][0]["summary"] == "Return 44." and owners["DHSC"]["returns"][-1]["previous_rag"] == "red"
    assert (len(owners["NHSE"]["returns"]), owners["NHSE"]["returns_count"]) == (1, 1)
    assert (len(document["assessments"]), document["assessments_count"]) == (20, 23)
    assert document["assessments"][0]["summary"] == "View 22."
    every = show_json(run, workspace, "9", "--all")
    assert [len(o["returns"]) for o in every["owners"]] == [45, 1] and len(every["assessments"]) == 23
    assert every["owners"][0]["returns"][:20] == owners["DHSC"]["returns"]


def test_show_of_a_recommendation_without_returns_says_so(run: Run, workspace: Path) -> None:
    text = run("show", "9", root=workspace).stdout
    assert "DHSC: no returns" in text and "earlier" not in text
    document = show_json(run, workspace, "9")
    assert [(o["returns"], o["returns_count"]) for o in document["owners"]] == [([], 0), ([], 0)]
    assert (document["assessments"], document["assessments_count"]) == ([], 0)
