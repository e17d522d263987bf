"""The SQLite database: built from the YAML, kept in sync, never half-written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import db, sync
from tracker.errors import DataError, InvalidData
from tracker.yamlio import recommendations

from .conftest import OpenDb, load_dataset


def touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    touch_later(path)


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(recommendations, "parse_recommendations", refuse)


def test_first_open_builds_every_table(workspace: Path, open_db: OpenDb) -> None:
    conn = open_db(workspace)
    assert db.counts(conn) == {"recommendations": 32, "departments": 22, "returns": 0, "assessments": 0}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "recommendations",
        "owners",
        "departments",
        "department_aliases",
        "department_history",
        "responses",
        "links",
        "returns",
        "return_evidence",
    } <= tables
    assert conn.execute("SELECT count(*) FROM owners").fetchone()[0] == sum(
        len(r.owners) for r in db.dataset(conn).recommendations
    )


def test_tables_declare_their_foreign_keys_for_datasette(workspace: Path, open_db: OpenDb) -> None:
    conn = open_db(workspace)
    keys = {(r["from"], r["table"]) for r in conn.execute("PRAGMA foreign_key_list(owners)")}
    assert keys == {("recommendation", "recommendations"), ("dept", "departments"), ("reports_via", "departments")}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_database_says_what_the_yaml_says(workspace: Path, open_db: OpenDb) -> None:
    from_yaml, _ = load_dataset(workspace / "recommendations.yaml")
    from_db = db.dataset(open_db(workspace))
    assert from_db.recommendations == tuple(r for r in from_yaml.recommendations)
    assert from_db.registry == from_yaml.registry
    assert (from_db.review, from_db.reporting_window_days) == (from_yaml.review, from_yaml.reporting_window_days)


def test_an_unchanged_file_is_not_read_again(workspace: Path, monkeypatch: pytest.MonkeyPatch, open_db: OpenDb) -> None:
    open_db(workspace).close()
    no_parsing(monkeypatch)
    assert db.counts(open_db(workspace))["recommendations"] == 32


def test_a_touched_file_with_the_same_bytes_is_not_parsed_again(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, open_db: OpenDb
) -> None:
    open_db(workspace).close()
    touch_later(workspace / "recommendations.yaml")
    no_parsing(monkeypatch)
    open_db(workspace).close()
    open_db(workspace).close()  # the new modification time was recorded


def test_a_changed_file_is_read_again(workspace: Path, open_db: OpenDb) -> None:
    open_db(workspace).close()
    edit(
        workspace / "recommendations.yaml",
        "title: A Centre for Addictions as a professional body",
        "title: A Centre for Addictions",
    )
    titles = {r.number: r.title for r in db.dataset(open_db(workspace)).recommendations}
    assert titles[10] == "A Centre for Addictions"


def test_invalid_data_leaves_the_database_as_it_was(workspace: Path, open_db: OpenDb) -> None:
    open_db(workspace).close()
    before = (workspace / db.NAME).read_bytes()
    edit(
        workspace / "recommendations.yaml",
        "      - dept: AoMRC\n        role: lead",
        "      - dept: AoMRC\n        role: support",
    )
    with pytest.raises(InvalidData, match="recommendation 10: owners: has no lead owner"):
        open_db(workspace)
    edit(workspace / "recommendations.yaml", "review:\n", "review: [\n")
    with pytest.raises(DataError, match="YAML syntax error"):
        open_db(workspace)
    assert (workspace / db.NAME).read_bytes() == before


def test_invalid_data_creates_no_database(workspace: Path, open_db: OpenDb) -> None:
    edit(workspace / "recommendations.yaml", "  - number: 10\n", "  - number: 9\n")
    with pytest.raises(InvalidData):
        open_db(workspace)
    assert sorted(p.name for p in workspace.iterdir()) == [".tracker.lock", "recommendations.yaml", "status"]


def test_rebuild_replaces_the_database_whole(workspace: Path, open_db: OpenDb, rebuild_db: OpenDb) -> None:
    open_db(workspace).close()
    (workspace / db.NAME).write_bytes(b"not a database at all, but long enough to be read as a header" * 20)
    with pytest.raises(DataError, match="tracker load --rebuild"):
        open_db(workspace)
    assert db.counts(rebuild_db(workspace))["recommendations"] == 32
    assert sorted(p.name for p in workspace.iterdir()) == [".tracker.lock", "recommendations.yaml", "status", db.NAME]


@pytest.mark.parametrize(
    "change",
    [f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}", "UPDATE meta SET value = 'schema 4; code 0' WHERE key = 'built_by'"],
)
def test_a_database_built_by_another_schema_or_other_rules_is_rebuilt(workspace: Path, open_db: OpenDb, change: str) -> None:
    open_db(workspace).close()
    conn = sqlite3.connect(workspace / db.NAME)
    with conn:
        conn.execute(change)
        conn.execute("DELETE FROM owners")
    conn.close()
    conn = open_db(workspace)
    assert db.schema_version(conn) == db.SCHEMA_VERSION and db.meta(conn, "built_by") == sync.rules()
    assert conn.execute("SELECT count(*) FROM owners").fetchone()[0] > 32


def test_commands_started_together_all_get_a_complete_database(workspace: Path, open_db: OpenDb, rebuild_db: OpenDb) -> None:
    script = (
        "import sys; from contextlib import closing; from pathlib import Path; from tracker import db, sync\n"
        "with closing(sync.open_synced(Path(sys.argv[1]))) as conn: print(db.counts(conn)['recommendations'])"
    )
    edit(workspace / "recommendations.yaml", "title: A Centre for Addictions as a professional body", "title: A Centre")
    rebuild_db(workspace).close()
    edit(workspace / "recommendations.yaml", "title: A Centre\n", "title: A Centre for Addictions\n")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(workspace)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [(p.returncode, out.strip(), err) for p, (out, err) in zip(procs, results, strict=True)] == [(0, "32", "")] * 6
    titles = {r.number: r.title for r in db.dataset(open_db(workspace)).recommendations}
    assert titles[10] == "A Centre for Addictions"


def test_entries_inserted_in_bulk_read_back_as_they_were_given(workspace: Path, open_db: OpenDb) -> None:
    """Many entries are inserted many to a statement: every one, each link in its place, whatever
    is left over after the last whole statement."""
    from datetime import date, timedelta

    from tracker.domain.rating import RETURN_RATINGS
    from tracker.domain.returns import Entry

    conn = open_db(workspace)
    given = [
        Entry(
            9,
            "DHSC",
            date(2024, 1, 1) + timedelta(days=i % 300),
            RETURN_RATINGS[i % 4],
            f"Return {i}.",
            "A secretary",
            tuple(f"https://example.org/{i}/{n}" for n in range(i % 4)),
            date(2026, 1, 1) if i % 7 == 0 else None,
            "Moved." if i % 7 == 0 else None,
            "status/DHSC.yaml",
            10 + 8 * i,
        )
        for i in range(1003)  # 22 statements of 45 returns and 13 over; 9 of 166 links and 9 over
    ]
    with db.transaction(conn):
        db.insert_returns(conn, given)
    assert db.returns_in_file(conn, "status/DHSC.yaml") == given
