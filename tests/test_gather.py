"""tracker gather: one national database over partnership workspaces, the roll-up under each national
recommendation, who is late, the national paper and Datasette metadata; and what it refuses."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest

from tracker.db import national as ndb
from tracker.domain.national import partnership_name, rolled_up
from tracker.domain.rating import Rating
from tracker.output.national_datasette import TABLES

from .conftest import REPO, Run, made_once
from .test_datasette import facet_results

AS_OF = "2026-06-30"
NORTH, SOUTH = "North Combating Drugs Partnership", "South Combating Drugs Partnership"


def plan_items(*items: tuple[str, str, list[str]]) -> str:
    """A plan's items: each (ref, lead, national recommendations it delivers)."""
    return "items:\n" + "".join(
        f"  - ref: {ref}\n    section: '1'\n    section_title: Treatment\n    title: Action {ref}\n"
        f"    text: The action {ref}.\n    owners:\n      - dept: {lead}\n        role: lead\n"
        f"    delivers: [{', '.join(delivers)}]\n"
        for ref, lead, delivers in items
    )


def partnership(run: Run, folder: Path, name: str, items: str, returns: list[tuple[str, str, str, str]]) -> Path:
    """A partnership workspace made as the README says: `tracker init --partnership`, actions in its
    plan, returns (item, body, rating, date) recorded with `tracker update`."""
    result = run("init", str(folder), "--partnership", name)
    assert result.exit_code == 0, result.stderr
    plan = folder / "sources" / "plan.yaml"
    text = plan.read_text(encoding="utf-8").replace("items: []\n", items)
    plan.write_text(re.sub(r"published: \S+", "published: 2024-04-01", text), encoding="utf-8")  # a plan of two years ago
    for item, body, rag, day in returns:
        result = run("update", item, "--dept", body, "--rag", rag, "--summary", f"{body} on {item}", "--date", day, root=folder)
        assert result.exit_code == 0, result.stderr
    (folder / "tracker.db").unlink(missing_ok=True)  # a clone holds no database: gather reads the YAML
    return folder


@pytest.fixture(scope="module")
def _two(click_app: click.Command, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    with made_once(click_app) as run:
        return _made_two(run, tmp_path_factory.mktemp("two"))


@pytest.fixture
def two(_two: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """Two partnerships (made once, copied for each test). North: CP-1 (R11) red, CP-2 (R11, R12)
    complete. South: CP-1 (R11) complete, CP-2 (R12) with no return, CP-3 (R20) green but long ago."""
    north, south = (shutil.copytree(made, tmp_path / made.name, symlinks=True) for made in _two)
    return north, south


def _made_two(run: Run, tmp_path: Path) -> tuple[Path, Path]:
    north = partnership(
        run,
        tmp_path / "north",
        "North",
        plan_items(("CP-1", "POLICE", ["R11"]), ("CP-2", "TREAT", ["R11", "R12"])),
        [("CP-1", "POLICE", "red", "2026-06-01"), ("CP-2", "TREAT", "complete", "2026-06-02")],
    )
    south = partnership(
        run,
        tmp_path / "south",
        "South",
        plan_items(("CP-1", "CPH", ["R11"]), ("CP-2", "LICB", ["R12"]), ("CP-3", "PDU", ["R20"])),
        [("CP-1", "CPH", "complete", "2026-05-01"), ("CP-3", "PDU", "green", "2025-01-10")],
    )
    return north, south


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def gathered(run: Run, *args: str) -> dict[str, Any]:
    result = run("gather", *args, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def one_line(stderr: str) -> None:
    assert stderr.count("\n") == 1 and stderr.startswith("tracker: error: "), stderr


# -- the roll-up ------------------------------------------------------------------------------


def test_each_national_recommendation_rolls_up_the_local_actions_under_it(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    north, south = two
    out = tmp_path / "national.db"
    document = gathered(run, str(north), str(south), "--out", str(out))
    by_ref = {r["ref"]: r for r in document["recommendations"]}
    assert len(by_ref) == 32
    # R11: North's red and complete actions roll up to red; South's one complete action to complete.
    assert by_ref["R11"]["partnerships"] == 2
    assert {k: v for k, v in by_ref["R11"]["ratings"].items() if v} == {"red": 1, "complete": 1}
    # R12: complete in North (its one action under it), no return in South (none made on CP-2).
    assert {k: v for k, v in by_ref["R12"]["ratings"].items() if v} == {"complete": 1, "no_return": 1}
    assert by_ref["R20"]["partnerships"] == 1 and by_ref["R1"]["partnerships"] == 0
    assert rows(out, "SELECT partnership, ref, rag, items, actions FROM national_rollup WHERE ref = 'R11' ORDER BY 1") == [
        (NORTH, "R11", "red", 2, "CP-1, CP-2"),
        (SOUTH, "R11", "complete", 1, "CP-1"),
    ]
    assert [(p["partnership"], p["items"], p["returns"]) for p in document["partnerships"]] == [(NORTH, 2, 2), (SOUTH, 3, 2)]
    assert (document["items"], document["returns"]) == (5, 4)


def test_every_table_is_gathered_with_its_partnership_in_its_primary_key(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "national.db"
    gathered(run, *map(str, two), "--out", str(out))
    assert rows(out, "SELECT partnership, dept, rag FROM returns ORDER BY partnership, date") == [
        (NORTH, "POLICE", "red"),
        (NORTH, "TREAT", "complete"),
        (SOUTH, "PDU", "green"),
        (SOUTH, "CPH", "complete"),
    ]
    # Both partnerships number their items alike: the key tells them apart.
    key = [(r[1], r[5]) for r in rows(out, "PRAGMA table_info(recommendations)") if r[5]]
    assert key == [("partnership", 1), ("number", 2)]
    assert rows(out, "SELECT count(*), count(DISTINCT partnership) FROM recommendations WHERE ref = 'CP-1'") == [(2, 2)]
    tables = {r[0] for r in rows(out, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sources", "owners", "delivers", "standing", "owner_standing", "departments", "meta"} <= tables
    assert "files" not in tables
    assert rows(out, "SELECT DISTINCT as_of FROM standing") == [(AS_OF,)]


def test_gather_writes_nothing_into_the_workspaces(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    before = {folder: digest(folder) for folder in two}
    for folder in two:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        gathered(run, *map(str, two), "--out", str(tmp_path / "national.db"))
    finally:
        for folder in two:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)
    assert {folder: digest(folder) for folder in two} == before
    assert not any((folder / "tracker.db").exists() for folder in two)


def test_late_returns_are_owed_for_each_partnerships_next_board(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    north, south = two
    marker = north / "recommendations.yaml"
    text = marker.read_text(encoding="utf-8")
    marker.write_text(text.replace("board:\n", "board:\n  meetings: [2026-07-20]\n", 1), encoding="utf-8")
    out = tmp_path / "national.db"
    document = gathered(run, str(north), str(south), "--out", str(out))
    late = {entry["partnership"]: entry for entry in document["late"]}
    # South: LICB has never reported on CP-2, PDU not since January 2025 (outside the 90 days).
    assert late[SOUTH]["owed_by"] == ["LICB", "PDU"] and late[SOUTH]["meeting"] is None
    assert late[SOUTH]["due"] == AS_OF
    # North meets on 20 July: returns due a week before; POLICE's return of 1 June is within 90 days of it.
    assert NORTH not in late
    assert rows(out, "SELECT partnership, owed_by, ref, last_rag, last_update FROM late_returns ORDER BY ref") == [
        (SOUTH, "LICB", "CP-2", None, None),
        (SOUTH, "PDU", "CP-3", "green", "2025-01-10"),
    ]
    # The national recommendations kept for reference are owed nothing: their owners are not the partnership's.
    assert rows(out, "SELECT count(*) FROM late_returns WHERE item < 10000") == [(0,)]


def test_the_partnership_is_its_plans_author_else_its_board_else_its_folder(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    north, south = two
    plan = north / "sources" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  kind: plan\n", "  kind: strategy\n"), encoding="utf-8")
    document = gathered(run, str(north), str(south), "--out", str(tmp_path / "national.db"))
    assert [p["partnership"] for p in document["partnerships"]] == [
        "North Combating Drugs Partnership board",  # no plan: its board's name
        "South Combating Drugs Partnership",  # the plan's author
    ]


def test_the_partnerships_name_rule() -> None:
    from tracker.domain.recommendations import Board, Source

    from .conftest import load_dataset

    data, _ = load_dataset(REPO / "recommendations.yaml")
    plan = Source("plan", "Plan", "  Kent   partnership ", date(2026, 1, 1), None, "plan")
    assert partnership_name(data, "kent") == "kent"
    assert partnership_name(_with(data, sources=(plan,)), "kent") == "Kent partnership"
    assert partnership_name(_with(data, sources=(plan,), board=Board(name="Kent board")), "kent") == "Kent partnership"
    assert partnership_name(_with(data, board=Board(name="Kent board")), "kent") == "Kent board"


def _with(data: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(data, **changes)


def test_the_roll_up_is_the_worst_rated_and_complete_only_when_all_are() -> None:
    assert rolled_up([Rating.COMPLETE, Rating.COMPLETE]) is Rating.COMPLETE
    assert rolled_up([Rating.COMPLETE, Rating.GREEN]) is Rating.GREEN
    assert rolled_up([Rating.AMBER, Rating.NO_RETURN]) is Rating.AMBER  # a silent action does not blank the others
    assert rolled_up([Rating.NO_RETURN, Rating.NO_RETURN]) is Rating.NO_RETURN
    assert rolled_up([Rating.COMPLETE, Rating.NO_RETURN]) is Rating.NO_RETURN
    assert rolled_up([Rating.GREEN, Rating.RED, Rating.COMPLETE]) is Rating.RED
    assert rolled_up([]) is Rating.NO_RETURN


def test_a_list_file_names_workspaces_relative_to_itself(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    listing = tmp_path / "lists" / "england.txt"
    listing.parent.mkdir()
    listing.write_text("# the partnerships\n\n../north\n  # South, by its full path\n" + str(two[1]) + "\n", encoding="utf-8")
    document = gathered(run, "--list", str(listing), "--out", str(tmp_path / "national.db"))
    assert [p["partnership"] for p in document["partnerships"]] == [
        "North Combating Drugs Partnership",
        "South Combating Drugs Partnership",
    ]


def test_text_summary_and_national_paper(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    paper = tmp_path / "national.md"
    result = run("gather", *map(str, two), "--out", str(tmp_path / "n.db"), "--as-of", AS_OF, "--paper", str(paper))
    assert result.exit_code == 0, result.stderr
    assert "Gathered 2 partnerships" in result.stdout and "4 returns" in result.stdout
    r11 = next(line for line in result.stdout.splitlines() if line.strip().startswith("R11 "))
    assert r11.split()[-4:] == ["RED", "1,", "COMPLETE", "1"]
    assert "South Combating Drugs Partnership" in result.stdout.split("Returns owed")[1]
    text = paper.read_text(encoding="utf-8")
    assert text.startswith("# National roll-up of 2 Combating Drugs Partnerships")
    assert "| R11 | Local authorities commission the full range of services | 2 | 1 | 0 | 0 | 1 | 0 |" in text
    assert "| South Combating Drugs Partnership | 2 | LICB, PDU | 2026-06-30 |" in text


def test_a_new_gather_replaces_the_national_database_it_wrote(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "national.db"
    gathered(run, str(two[0]), "--out", str(out))
    assert rows(out, "SELECT count(*) FROM partnerships") == [(1,)]
    gathered(run, *map(str, two), "--out", str(out))
    assert rows(out, "SELECT count(*) FROM partnerships") == [(2,)]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- what it refuses --------------------------------------------------------------------------


def test_a_missing_folder_or_one_that_is_no_workspace_is_refused(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "national.db"
    result = run("gather", str(two[0]), str(tmp_path / "nowhere"), "--out", str(out))
    assert result.exit_code == 2 and "nowhere: no such folder" in result.stderr
    one_line(result.stderr)
    (tmp_path / "empty").mkdir()
    result = run("gather", str(two[0]), str(tmp_path / "empty"), "--out", str(out))
    assert result.exit_code == 2 and "is not a tracker workspace" in result.stderr
    listing = tmp_path / "list.txt"
    listing.write_text("north\nmissing\n", encoding="utf-8")
    result = run("gather", "--list", str(listing), "--out", str(out))
    assert result.exit_code == 2 and f"{listing}:2: " in result.stderr
    result = run("gather", str(two[0]), str(two[0]), "--out", str(out))
    assert result.exit_code == 2 and "named twice" in result.stderr
    result = run("gather", "--out", str(out))
    assert result.exit_code == 2
    assert not out.exists()


def test_two_workspaces_of_one_partnership_are_refused(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    north, south = two
    plan = south / "sources" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("author: South", "author: North"), encoding="utf-8")
    result = run("gather", str(north), str(south), "--out", str(tmp_path / "national.db"))
    assert result.exit_code == 3
    one_line(result.stderr)
    assert "'North Combating Drugs Partnership'" in result.stderr and str(north) in result.stderr
    assert not (tmp_path / "national.db").exists()


def test_an_invalid_workspace_fails_the_gather_unless_it_is_skipped(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    north, south = two
    out = tmp_path / "national.db"
    gathered(run, str(north), "--out", str(out))
    before = out.read_bytes()
    status = south / "status" / "CPH.yaml"
    status.write_text(status.read_text(encoding="utf-8").replace("rag: complete", "rag: purple"), encoding="utf-8")
    result = run("gather", str(north), str(south), "--out", str(out))
    assert result.exit_code == 3
    one_line(result.stderr)
    assert str(south) in result.stderr and "status/CPH.yaml" in result.stderr
    assert out.read_bytes() == before  # the national database as it was
    document = gathered(run, str(north), str(south), "--out", str(out), "--skip-invalid")
    assert [p["partnership"] for p in document["partnerships"]] == ["North Combating Drugs Partnership"]
    assert document["skipped"][0]["folder"] == str(south) and "purple" in document["skipped"][0]["problem"]
    assert rows(out, "SELECT folder FROM partnerships WHERE problem IS NOT NULL") == [(str(south),)]
    result = run("gather", str(south), "--out", str(out), "--skip-invalid")
    assert result.exit_code == 3 and "no workspace could be gathered" in result.stderr


def test_the_national_database_is_never_written_into_a_workspaces_record(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    north, south = two
    before = digest(north)
    for inside in (north / "status" / "national.db", north / "tracker.db", north / "recommendations.yaml"):
        result = run("gather", str(north), str(south), "--out", str(inside))
        assert result.exit_code == 2, inside
        one_line(result.stderr)
        assert "part of the workspace's record" in result.stderr
    result = run("gather", str(north), "--out", str(tmp_path / "n.db"), "--paper", str(north / "sources" / "paper.md"))
    assert result.exit_code == 2 and "--paper" in result.stderr
    assert digest(north) == before and not (tmp_path / "n.db").exists()


def test_an_output_that_cannot_be_written_is_refused_before_any_work(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    result = run("gather", str(two[0]), "--out", str(tmp_path / "no" / "such" / "national.db"))
    assert result.exit_code == 3 and "does not exist" in result.stderr
    one_line(result.stderr)
    result = run("gather", str(two[0]), "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.stderr
    precious = tmp_path / "precious.db"
    precious.write_bytes(b"a file gather did not write")
    result = run("gather", str(two[0]), "--out", str(precious))
    assert result.exit_code == 2 and "not a database tracker gather wrote" in result.stderr
    assert precious.read_bytes() == b"a file gather did not write"
    result = run("gather", str(two[0]), "--out", str(tmp_path / "n.db"), "--paper", str(tmp_path / "n.db"))
    assert result.exit_code == 2 and "name the same file" in result.stderr
    if os.geteuid() != 0:  # root writes wherever it likes
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        result = run("gather", str(two[0]), "--out", str(locked / "national.db"))
        assert result.exit_code == 3 and "cannot write into the folder" in result.stderr


# -- outcome measures, where the workspaces hold them -----------------------------------------


def test_outcome_measure_values_are_gathered_by_partnership_where_the_tables_exist(tmp_path: Path) -> None:
    national = ndb.building(tmp_path / "n.db")
    try:
        for name, value in (("North", 12.5), ("South", 14.0)):
            workspace = sqlite3.connect(":memory:")
            workspace.execute("CREATE TABLE measures (code TEXT PRIMARY KEY, name TEXT, unit TEXT)")
            workspace.execute(
                "CREATE TABLE measure_values (measure TEXT, period TEXT, value REAL, PRIMARY KEY (measure, period))"
            )
            workspace.execute("INSERT INTO measures VALUES ('deaths', 'Drug misuse deaths', 'per 100,000')")
            workspace.execute("INSERT INTO measure_values VALUES ('deaths', '2024', ?)", [value])
            ndb.copy_workspace(national, workspace, name)
            workspace.close()
        ndb.finish(national)
        values = national.execute("SELECT partnership, measure, name, period, value FROM outcome_values ORDER BY 1").fetchall()
        assert [tuple(r) for r in values] == [
            ("North", "deaths", "Drug misuse deaths", "2024", 12.5),
            ("South", "deaths", "Drug misuse deaths", "2024", 14.0),
        ]
        assert [tuple(m) for m in ndb.measures(national)] == [("deaths", "Drug misuse deaths", 2, "2024")]
    finally:
        national.close()


# -- Datasette --------------------------------------------------------------------------------


def served(database: Path, metadata: dict[str, Any], config: dict[str, Any] | None, paths: list[str]) -> list[Any]:
    from .test_datasette import serve

    options: dict[str, Any] = {"metadata": metadata} | ({"config": config} if config is not None else {})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "unclosed database", ResourceWarning)  # Datasette 0.65's, as in test_datasette
        return serve(database, options, paths)


def test_datasette_opens_the_national_database_with_the_metadata_tracker_writes(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    from importlib.metadata import version

    out, metadata, config = tmp_path / "national.db", tmp_path / "national.json", tmp_path / "datasette.json"
    one = int(version("datasette").split(".")[0]) >= 1
    args = ["--metadata", str(metadata), *(["--config", str(config)] if one else [])]
    gathered(run, *map(str, two), "--out", str(out), *args)
    described = json.loads(metadata.read_text(encoding="utf-8"))
    configured = json.loads(config.read_text(encoding="utf-8")) if one else None
    late, rollup, national, table = served(
        out,
        described,
        configured,
        [
            "/national/who_is_late.json?_shape=array",
            "/national/recommendation_rollup.json?_shape=array",
            "/national/national_rollup.json?_size=0&_extra=facet_results",
            "/national/late_returns.json?_shape=array",
        ],
    )
    assert [r["owed_by"] for r in table] == [r["owed_by"] for r in late]  # the query reads the table
    assert [(r["partnership"], r["owed_by"], r["ref"]) for r in late] == [
        ("South Combating Drugs Partnership", "LICB", "CP-2"),
        ("South Combating Drugs Partnership", "PDU", "CP-3"),
    ]
    r11 = next(r for r in rollup if r["ref"] == "R11")
    assert (r11["partnerships"], r11["red"], r11["complete"]) == (2, 1, 1)
    facets = facet_results(national)
    assert {"partnership", "rag"} <= set(facets)
    assert {f["value"]: f["count"] for f in facets["partnership"]["results"]} == {
        "North Combating Drugs Partnership": 2,
        "South Combating Drugs Partnership": 3,
    }


def test_the_metadata_describes_only_what_the_national_database_holds(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "national.db"
    gathered(run, *map(str, two), "--out", str(out))
    for table, (_, columns) in TABLES.items():
        found = {r[1] for r in rows(out, f"PRAGMA table_info([{table}])")}
        assert found, table
        assert set(columns) <= found, (table, set(columns) - found)


def test_a_workspace_that_is_no_partnership_is_refused(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    national = tmp_path / "national"
    assert run("init", str(national)).exit_code == 0
    result = run("gather", str(two[0]), str(national), "--out", str(tmp_path / "n.db"))
    assert result.exit_code == 2 and "is not a partnership's workspace" in result.stderr
    one_line(result.stderr)
    assert not (tmp_path / "n.db").exists()


def test_partnerships_holding_another_copy_of_the_review_are_refused(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    path = two[1] / "recommendations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Local authorities commission", "title: Councils commission", 1), encoding="utf-8")
    result = run("gather", str(two[0]), str(two[1]), "--out", str(tmp_path / "n.db"))
    assert result.exit_code == 3 and "(recommendation 11 differs)" in result.stderr
    one_line(result.stderr)


def test_a_national_paper_is_never_written_over_another_workspaces_record(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    assert run("init", str(other)).exit_code == 0
    before = (other / "recommendations.yaml").read_bytes()
    result = run("gather", str(two[0]), "--out", str(tmp_path / "n.db"), "--paper", str(other / "recommendations.yaml"))
    assert result.exit_code == 2 and "part of the workspace's record" in result.stderr
    assert (other / "recommendations.yaml").read_bytes() == before


def test_skipped_workspaces_of_one_folder_name_are_both_listed(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:

    for area in ("a", "b"):
        copy = tmp_path / area / "ws"
        shutil.copytree(two[0], copy)
        (copy / "sources" / "plan.yaml").write_text("not: [a plan\n", encoding="utf-8")
    result = run(
        "gather",
        str(two[1]),
        str(tmp_path / "a" / "ws"),
        str(tmp_path / "b" / "ws"),
        "--out",
        str(tmp_path / "n.db"),
        "--skip-invalid",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("ws: ") == 2


def test_a_link_round_to_itself_is_refused_in_one_line(run: Run, two: tuple[Path, Path], tmp_path: Path) -> None:
    loop = tmp_path / "loop.db"
    loop.symlink_to(loop.name)
    for option in ("--out", "--paper"):
        args = ["--out", str(tmp_path / "n.db"), option, str(loop)] if option != "--out" else ["--out", str(loop)]
        result = run("gather", str(two[0]), *args)
        assert result.exit_code == 3 and "too many levels of symbolic links" in result.stderr
        one_line(result.stderr)


def test_a_paper_that_cannot_be_written_leaves_the_national_database_as_it_was(
    run: Run, two: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "n.db"
    gathered(run, str(two[0]), "--out", str(out))
    before = out.read_bytes()
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full here")
    result = run("gather", *map(str, two), "--out", str(out), "--paper", str(full))
    assert result.exit_code == 3
    assert out.read_bytes() == before
