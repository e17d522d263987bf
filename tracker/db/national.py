"""The national database `tracker gather` writes: every partnership workspace's tables, each row
with its partnership, and the national unit's own tables and views over them.

A workspace's database (built in memory from its YAML) is copied table by table, whatever tables
it holds: each gets a `partnership` column first and its primary key becomes (partnership, ...),
so tables added to tracker.db later (the outcomes framework's, say) are gathered as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from tracker.domain.national import LateReturns, Measure, National, Partnership
from tracker.domain.rating import Rating

from .schema import Connection

PARTNERSHIP = "partnership"
# What a national database says about itself (its meta table's key `built_by`): a file that says
# otherwise is not one gather wrote, and gather does not write over it.
BUILT_BY = "tracker gather"
# Not gathered: how each YAML file was when loaded, and the views (remade over the national tables).
NOT_COPIED = {"files"}
RATING_COLUMNS = ("red", "amber", "green", "complete", "no_return")

SCHEMA = f"""
CREATE TABLE national_meta (key TEXT PRIMARY KEY, value TEXT);
-- Every workspace gathered, or skipped (problem says why).
CREATE TABLE partnerships (
    partnership TEXT PRIMARY KEY, position INTEGER, folder TEXT, board TEXT, plan TEXT,
    items INTEGER, returns INTEGER, late INTEGER, problem TEXT);
-- For each national recommendation (source review), in each partnership with local actions under
-- it: those actions, and their headline ratings rolled up (the worst of those rated, complete only when all are).
CREATE TABLE national_rollup (
    partnership TEXT, recommendation INTEGER, ref TEXT, title TEXT, rag TEXT, items INTEGER, actions TEXT,
    {", ".join(f"[{c}] INTEGER" for c in RATING_COLUMNS)}, as_of TEXT,
    PRIMARY KEY (partnership, recommendation));
-- Who owes a return, in each partnership: for its next board's returns deadline, else as of the date.
CREATE TABLE late_returns (
    partnership TEXT, owed_by TEXT, owner TEXT, role TEXT, item INTEGER, ref TEXT, title TEXT,
    last_rag TEXT, last_update TEXT, meeting TEXT, due TEXT,
    PRIMARY KEY (partnership, item, owner));
"""

VIEWS = f"""
-- Each local action under a national recommendation, with its headline rating.
CREATE VIEW national_items AS
SELECT d.partnership, n.number AS recommendation, n.ref AS national_ref, n.title AS national_title,
    i.number AS item, i.ref, i.title, i.source, s.rag, s.departments_rag, s.board_rag, s.target_date, s.overdue,
    s.leads, s.as_of
FROM delivers AS d
JOIN recommendations AS n ON n.partnership = d.partnership AND n.number = d.delivered AND n.source = 'review'
JOIN recommendations AS i ON i.partnership = d.partnership AND i.number = d.recommendation
JOIN sources AS f ON f.partnership = i.partnership AND f.key = i.source AND f.follow
JOIN standing AS s ON s.partnership = d.partnership AND s.number = d.recommendation;
-- For each national recommendation: how many partnerships have actions under it, and how many of
-- those roll up to each rating.
CREATE VIEW national_summary AS
SELECT recommendation, ref, title, count(*) AS partnerships, sum(items) AS items,
    {", ".join(f"sum(rag = '{c}') AS [{c}]" for c in RATING_COLUMNS)}
FROM national_rollup GROUP BY recommendation ORDER BY recommendation;
"""

# The canned queries the Datasette metadata offers.
LATE_RETURNS = """SELECT partnership, owed_by, owner, role, ref, title, last_rag, last_update, meeting, due
FROM late_returns
ORDER BY partnership, owed_by, item, owner"""
ROLLUP = f"""SELECT recommendation, ref, title, partnerships, items, {", ".join(RATING_COLUMNS)}
FROM national_summary
ORDER BY recommendation"""


def building(path: Path) -> Connection:
    """A connection to a new national database at `path`, its tables made, in a transaction that
    `commit` ends. No journal and no syncing as it is written: a failed build is thrown away whole,
    and the caller makes the file durable once, before renaming it into place."""
    from .schema import connect

    conn = connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO national_meta (key, value) VALUES ('built_by', ?)", [BUILT_BY])
    except BaseException:
        conn.close()
        raise
    return conn


def commit(conn: Connection) -> None:
    conn.execute("COMMIT")


def built_by_gather(path: Path) -> bool:
    """Whether the file at `path` is a national database gather wrote (so it may be replaced)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM national_meta WHERE key = 'built_by'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == BUILT_BY


def set_meta(conn: Connection, values: dict[str, str]) -> None:
    conn.executemany("INSERT OR REPLACE INTO national_meta (key, value) VALUES (?, ?)", values.items())


def copy_workspace(national: Connection, workspace: Connection, partnership: str) -> None:
    """Copy every table of a workspace's database into the national one, each row with `partnership`."""
    tables = [
        row[0]
        for row in workspace.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if row[0] not in NOT_COPIED
    ]
    reader = workspace.cursor()
    reader.row_factory = None
    for table in sorted(tables):
        columns = workspace.execute(f"PRAGMA table_info([{table}])").fetchall()
        names = [c[1] for c in columns]
        _table_for(national, table, columns)
        listed = ", ".join(f"[{n}]" for n in names)
        rows = reader.execute(f"SELECT {listed} FROM [{table}]")
        marks = ", ".join("?" * (len(names) + 1))
        national.executemany(
            f"INSERT INTO [{table}] ([{PARTNERSHIP}], {listed}) VALUES ({marks})", ((partnership, *row) for row in rows)
        )


def _table_for(national: Connection, table: str, columns: Sequence[sqlite3.Row]) -> None:
    """The national table for a workspace's `table`: made on first sight, the same columns after
    a `partnership` column, the primary key (partnership, ...)."""
    found = national.execute(f"PRAGMA table_info([{table}])").fetchall()
    names = [c[1] for c in columns]
    if found:
        if [c[1] for c in found] != [PARTNERSHIP, *names]:
            raise sqlite3.DatabaseError(f"the workspaces' table {table} differ in their columns")
        return
    if PARTNERSHIP in names:
        raise sqlite3.DatabaseError(f"a workspace's table {table} has a column named {PARTNERSHIP}")
    keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
    declared = [f"[{PARTNERSHIP}] TEXT NOT NULL", *(f"[{c[1]}] {c[2]}".rstrip() for c in columns)]
    if keys:
        declared.append(f"PRIMARY KEY ([{PARTNERSHIP}], {', '.join(f'[{k}]' for k in keys)})")
    national.execute(f"CREATE TABLE [{table}] ({', '.join(declared)})")


# -- what the partnership's own database says -------------------------------------------------


def headline_ratings(workspace: Connection) -> dict[int, Rating]:
    """Each item's headline rating in a workspace's standing table."""
    return {row[0]: Rating(row[1]) for row in workspace.execute("SELECT number, rag FROM standing")}


def returns_count(workspace: Connection) -> int:
    """The returns recorded in a workspace (the board's assessments and corrections' new values aside)."""
    return int(workspace.execute("SELECT count(*) FROM returns WHERE dept IS NOT NULL AND corrects IS NULL").fetchone()[0])


# -- the national unit's tables ---------------------------------------------------------------


def add_partnership(conn: Connection, position: int, p: Partnership, board: str | None = None, plan: str | None = None) -> None:
    conn.execute(
        "INSERT INTO partnerships (partnership, position, folder, board, plan, items, returns, late, problem)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [p.name, position, p.folder, board, plan, p.items, p.returns, p.late, p.problem],
    )


def add_rollup(
    conn: Connection, partnership: str, rows: Iterable[tuple[int, str, str, Rating, Sequence[tuple[str, Rating]]]], as_of: date
) -> None:
    """`rows`: each national recommendation (number, ref, title), its rolled-up rating and its
    local actions (ref, headline rating)."""
    conn.executemany(
        f"INSERT INTO national_rollup VALUES ({', '.join('?' * (8 + len(RATING_COLUMNS)))})",
        (
            [
                partnership,
                number,
                ref,
                title,
                rag.value,
                len(items),
                ", ".join(r for r, _ in items),
                *(sum(1 for _, rating in items if rating.value == c) for c in RATING_COLUMNS),
                as_of.isoformat(),
            ]
            for number, ref, title, rag, items in rows
        ),
    )


def add_late(conn: Connection, partnership: str, rows: Iterable[Sequence[object]]) -> None:
    """`rows`: (owed_by, owner, role, item, ref, title, last_rag, last_update, meeting, due)."""
    conn.executemany(f"INSERT OR IGNORE INTO late_returns VALUES ({', '.join('?' * 11)})", ([partnership, *r] for r in rows))


def finish(conn: Connection) -> None:
    """The views and indexes over everything gathered."""
    for statement in VIEWS.split(";"):
        if statement.strip():
            conn.execute(statement)
    if _columns(conn, "measure_values") >= {"measure", "period", "value"} and _columns(conn, "measures") >= {"code", "name"}:
        unit = ", m.unit" if "unit" in _columns(conn, "measures") else ""
        conn.execute(
            "CREATE VIEW outcome_values AS"
            f" SELECT v.partnership, v.measure, m.name{unit}, v.period, v.value"
            f"{', v.source' if 'source' in _columns(conn, 'measure_values') else ''}"
            " FROM measure_values AS v LEFT JOIN measures AS m ON m.partnership = v.partnership AND m.code = v.measure"
        )
    if _columns(conn, "returns"):
        conn.execute("CREATE INDEX idx_returns_partnership ON returns (partnership, recommendation, dept, date)")


def _columns(conn: Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


# -- reading it back --------------------------------------------------------------------------


def partnerships(conn: Connection) -> list[Partnership]:
    return [
        Partnership(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5])
        for r in conn.execute("SELECT partnership, folder, items, returns, late, problem FROM partnerships ORDER BY position")
    ]


def national(conn: Connection) -> list[National]:
    """Every national recommendation some partnership has gathered, with its roll-up across them."""
    summary = {
        r[0]: r for r in conn.execute(f"SELECT recommendation, partnerships, {', '.join(RATING_COLUMNS)} FROM national_summary")
    }
    if not _columns(conn, "recommendations"):
        return []
    out = []
    listed = conn.execute(
        "SELECT number, ref, title FROM recommendations WHERE source = 'review' GROUP BY number ORDER BY number"
    ).fetchall()
    for number, ref, title in listed:
        row = summary.get(number)
        ratings = {Rating(c): (row[2 + i] if row else 0) for i, c in enumerate(RATING_COLUMNS)}
        out.append(National(number, ref or f"R{number}", title, row[1] if row else 0, ratings))
    return out


def late(conn: Connection) -> list[LateReturns]:
    rows = conn.execute(
        "SELECT partnership, count(*), group_concat(DISTINCT owed_by), min(due), min(meeting) FROM late_returns"
        " GROUP BY partnership ORDER BY count(*) DESC, partnership"
    ).fetchall()
    return [
        LateReturns(p, n, tuple(sorted((by or "").split(","))), date.fromisoformat(due), date.fromisoformat(m) if m else None)
        for p, n, by, due, m in rows
    ]


def measures(conn: Connection) -> list[Measure]:
    """The outcome measures with values in any partnership, where the workspaces hold the outcomes framework."""
    if "outcome_values" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}:
        return []
    return [
        Measure(code, name or code, n, latest)
        for code, name, n, latest in conn.execute(
            "SELECT measure, max(name), count(DISTINCT partnership), max(period) FROM outcome_values"
            " WHERE value IS NOT NULL GROUP BY measure ORDER BY measure"
        )
    ]
