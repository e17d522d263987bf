"""tracker.db in Datasette: the standing tables, served by Datasette itself, agree with
`tracker report`; the metadata's facets and canned queries work."""

from __future__ import annotations

import asyncio
import gc
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tracker import db
from tracker.output.datasette import TABLES

from .conftest import Run
from .test_architecture import imports, modules
from .test_standing_table import DAY, ok, set_clock, stored, with_returns


@pytest.fixture
def board(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    set_clock(monkeypatch)
    return with_returns(workspace)


def served(run: Run, root: Path, tmp_path: Path, *paths: str) -> list[Any]:
    """The JSON Datasette serves at each of `paths`, for tracker.db with the metadata tracker writes
    (split into metadata and configuration for Datasette 1.0)."""
    from importlib.metadata import version

    if int(version("datasette").split(".")[0]) >= 1:
        config = tmp_path / "datasette.json"
        metadata = json.loads(ok(run, root, "datasette-metadata", "--config", str(config)))
        options: dict[str, Any] = {"metadata": metadata, "config": json.loads(config.read_text(encoding="utf-8"))}
    else:
        options = {"metadata": json.loads(ok(run, root, "datasette-metadata"))}
        with warnings.catch_warnings():
            # Datasette 0.65 leaves SQLite connections for the garbage collector to close (one each time it
            # checks for JSON support, on import and while faceting, and one per worker thread), which
            # Python 3.13 reports as ResourceWarning. Only while Datasette runs; 1.0 closes its own.
            warnings.filterwarnings("ignore", "unclosed database", ResourceWarning)
            return serve(root / db.NAME, options, paths)
    return serve(root / db.NAME, options, paths)


def serve(database: Path, options: dict[str, Any], paths: Sequence[str]) -> list[Any]:
    """The JSON Datasette, given `options`, serves at each of `paths` of `database`."""
    from datasette.app import Datasette

    async def fetch() -> list[Any]:
        ds = Datasette([str(database)], **options)
        try:
            await ds.invoke_startup()
            out = []
            for path in paths:
                response = await ds.client.get(path)
                assert response.status_code == 200, (path, response.text[:500])
                out.append(response.json())
            return out
        finally:
            for opened in ds.databases.values():
                opened.close()
            ds.executor.shutdown(wait=True)

    try:
        return asyncio.run(fetch())
    finally:
        gc.collect()  # here, not in a later test: what Datasette left open is closed while it is accounted for


def facet_results(document: dict[str, Any]) -> dict[str, Any]:
    """The facets of a table's JSON, by name: Datasette 1.0 puts them under "results"."""
    found: dict[str, Any] = document["facet_results"]
    return found["results"] if "timed_out" in found else found


# -- served by Datasette ----------------------------------------------------------------------


def test_datasette_serves_the_standing_that_report_gives(run: Run, board: Path, tmp_path: Path) -> None:
    report = json.loads(ok(run, board, "report", "--format", "json"))
    standing, owners = served(
        run,
        board,
        tmp_path,
        "/tracker/standing.json?_shape=array&_size=max",
        "/tracker/owner_standing.json?_shape=array&_size=max",
    )
    assert report["as_of"] == DAY.isoformat()
    assert [r["number"] for r in standing] == [r["number"] for r in report["recommendations"]] == list(range(1, 33))
    assert {r["as_of"] for r in standing + owners} == {report["as_of"]}
    shown = {(r["number"], r["named_as"]): r for r in owners}
    assert len(shown) == len(owners) == sum(len(r["owners"]) for r in report["recommendations"])
    for row, rec in zip(standing, report["recommendations"], strict=True):
        a = rec["assessment"]
        assert {k: row[k] for k in ("number", "section", "title", "rag", "departments_rag", "deadline", "target_date")} == {
            k: rec[k] for k in ("number", "section", "title", "rag", "departments_rag", "deadline", "target_date")
        }
        assert (row["board_rag"], row["board_date"]) == ((a["rag"], a["date"]) if a else (None, None))
        assert bool(row["overdue"]) is rec["overdue"]
        leads = [
            o["dept"] + (f" (via {o['reports_via']})" if o["reports_via"] else "") for o in rec["owners"] if o["role"] == "lead"
        ]
        assert row["leads"] == ", ".join(leads)
        for o in rec["owners"]:
            mine = shown[(rec["number"], o["named_as"])]
            for key in ("dept", "role", "reports_via", "rag", "last_rag", "last_update", "trend"):
                assert mine[key] == o[key], (rec["number"], o["named_as"], key)
            assert bool(mine["stale"]) is o["stale"]
    # The returns above show through: a revised target date, a support's RED, a complete, a rating got worse.
    assert standing[8]["target_date"] == "2026-03-31"
    assert shown[(17, "HMPS")]["rag"] == "red" and shown[(17, "HMPS")]["reports_via"] == "HMPPS"
    assert shown[(20, "DWP")]["rag"] == "complete"
    assert shown[(21, "DWP")]["trend"] == "worse"


def test_the_canned_queries_give_who_owes_returns_and_what_is_overdue(run: Run, board: Path, tmp_path: Path) -> None:
    report = json.loads(ok(run, board, "report", "--format", "json"))
    owed, overdue = served(run, board, tmp_path, "/tracker/owed_returns.json?_shape=array", "/tracker/overdue.json?_shape=array")
    expected = sorted(
        (o["reports_via"] or o["dept"], o["dept"], r["number"])
        for r in report["recommendations"]
        for o in r["owners"]
        if o["rag"] == "no_return" and r["rag"] != "complete"  # nobody owes a return on what is complete
    )
    assert sorted((row["owed_by"], row["owner"], row["number"]) for row in owed) == expected
    chased = json.loads(ok(run, board, "chase", "--by", DAY.isoformat(), "--format", "json"))
    assert {d["dept"] for d in chased["departments"]} == {row["owed_by"] for row in owed}  # as chase has it
    assert ("OHID", "LA", 11) in expected  # a class of bodies, chased through the department that reports for it
    assert (9, "DHSC") not in {(row["number"], row["owner"]) for row in owed}  # it made a return in the window
    assert sorted(row["number"] for row in overdue) == [r["number"] for r in report["recommendations"] if r["overdue"]]
    assert overdue and all(row["target_date"] < DAY.isoformat() and row["rag"] != "complete" for row in overdue)


def test_facets_on_rating_department_and_section_are_configured(run: Run, board: Path, tmp_path: Path) -> None:
    report = json.loads(ok(run, board, "report", "--format", "json"))
    standing, owners = served(
        run,
        board,
        tmp_path,
        "/tracker/standing.json?_size=0&_extra=facet_results",
        "/tracker/owner_standing.json?_size=0&_extra=facet_results",
    )
    facets = {name: facet_results(document) for name, document in (("standing", standing), ("owners", owners))}
    assert {"rag", "section"} <= set(facets["standing"])
    assert {"rag", "dept", "section"} <= set(facets["owners"])
    counts = {f["value"]: f["count"] for f in facets["standing"]["rag"]["results"]}
    assert counts == {rating: n for rating, n in report["summary"].items() if n}


def test_the_metadata_describes_only_what_the_database_holds(run: Run, board: Path) -> None:
    ok(run, board, "load")
    columns = {
        name: {row[1] for row in stored(board, f"PRAGMA table_info([{name}])")}
        for (name,) in stored(board, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    }
    for table, (_, described) in TABLES.items():
        assert table in columns, table
        assert set(described) <= columns[table], (table, set(described) - columns[table])
    for table in ("standing", "owner_standing"):
        assert set(TABLES[table][1]) == columns[table], table
    metadata = json.loads(ok(run, board, "datasette-metadata"))
    assert metadata["source_url"].startswith("https://www.gov.uk/") and metadata["license_url"]
    assert "as of" in metadata["databases"]["tracker"]["tables"]["standing"]["description"]


def test_the_metadata_splits_into_datasette_1_metadata_and_configuration(run: Run, board: Path, tmp_path: Path) -> None:
    result = run("datasette-metadata", "--out", str(tmp_path / "metadata.json"), "--config", str(tmp_path / "c.json"), root=board)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    metadata = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    config = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    tracker_meta, tracker_config = metadata["databases"]["tracker"], config["databases"]["tracker"]
    assert set(tracker_config["queries"]) == {"owed_returns", "overdue"} and "queries" not in tracker_meta
    assert tracker_config["tables"]["standing"]["facets"] and "facets" not in tracker_meta["tables"]["standing"]
    assert tracker_meta["tables"]["standing"]["columns"]["as_of"]
    assert metadata["title"] and "title" not in config


def test_metadata_is_never_written_over_the_record(run: Run, board: Path) -> None:
    before = (board / "recommendations.yaml").read_bytes()
    result = run("datasette-metadata", "--out", str(board / "recommendations.yaml"), root=board)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "part of the workspace's record" in result.stderr
    assert (board / "recommendations.yaml").read_bytes() == before


def test_the_metadata_and_the_configuration_are_two_files(run: Run, board: Path, tmp_path: Path) -> None:
    result = run("datasette-metadata", "--out", str(tmp_path / "m.json"), "--config", str(tmp_path / "m.json"), root=board)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert not (tmp_path / "m.json").exists()


def test_tracker_never_imports_datasette() -> None:
    for path in modules():
        assert not any(m == "datasette" or m.startswith("datasette.") for m in imports(path)), path
