"""tracker.db itself: connecting, transactions, the schema (rebuilt, never migrated), its metadata
and the record of which files it holds as they were loaded."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    pass

__all__ = [
    "NAME",
    "SCHEMA_VERSION",
    "Connection",
    "DatabaseError",
    "OperationalError",
    "connect",
    "transaction",
    "waiting_at_most",
    "SCHEMA",
    "create_schema",
    "drop_everything",
    "data_version",
    "in_memory",
    "schema_version",
    "meta",
    "set_meta",
    "LoadedFile",
    "loaded_files",
    "save_file",
]

NAME = "tracker.db"
# Change this with the schema below: a database of another version is rebuilt from the YAML.
SCHEMA_VERSION = 19

Connection = sqlite3.Connection
DatabaseError = sqlite3.DatabaseError
OperationalError = sqlite3.OperationalError


def connect(path: Path, readonly: bool = False) -> Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if readonly else sqlite3.connect(path, timeout=30)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: Connection) -> Iterator[None]:
    """One write transaction, all or nothing.

    IMMEDIATE takes the write lock before reading, so a read-then-write sync never fails half-way
    with "database is locked"; a second process waits for the first to finish.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # a failed COMMIT may have ended it already
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def waiting_at_most(conn: Connection, seconds: float) -> Iterator[None]:
    """Wait at most `seconds` for another writer (instead of the 30 the connection waits)."""
    conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        conn.execute("PRAGMA busy_timeout = 30000")


# One plain table per kind of thing, with declared foreign keys, so `datasette tracker.db` shows it
# as it is. `files` records each YAML file as loaded: how it was when read, how many line ends it
# holds (so a return appended to it knows its line without reading it), and the SHA-256 of each
# mebibyte of it (so a file that has only grown since is told from one edited, and only its end read).
SCHEMA = """
-- What the workspace follows: the review (key `review`, recommendations.yaml) and each other source
-- (sources/KEY.yaml): a local delivery plan, another review, a strategy.
CREATE TABLE sources (
    key TEXT PRIMARY KEY, position INTEGER, title TEXT, author TEXT, published TEXT, link TEXT, kind TEXT,
    item TEXT, items TEXT, responses INTEGER, follow INTEGER, file TEXT);
CREATE TABLE departments (code TEXT PRIMARY KEY, name TEXT, part_of TEXT, line INTEGER, file TEXT);
CREATE TABLE department_aliases (
    code TEXT REFERENCES departments(code), alias TEXT,
    PRIMARY KEY (code, alias));
CREATE TABLE department_history (
    code TEXT REFERENCES departments(code), position INTEGER,
    date TEXT, event TEXT, from_name TEXT, to_name TEXT, "into" TEXT, note TEXT,
    PRIMARY KEY (code, position));
-- number: tracker's key for an item (the review's own number, or 10001 and on for another source's items),
-- ref: how people name it (12 or R12, CP-3).
CREATE TABLE recommendations (
    number INTEGER PRIMARY KEY, source TEXT REFERENCES sources(key), ref TEXT,
    section TEXT, section_title TEXT, title TEXT, text TEXT, addressed_to TEXT,
    deadline_words TEXT, deadline_date TEXT, deadline_reasoning TEXT, deadline_kind TEXT, line INTEGER,
    outcomes TEXT);  -- the codes of the outcomes (outcomes.yaml) it serves, separated by ", "
CREATE TABLE owners (
    recommendation INTEGER REFERENCES recommendations(number), dept TEXT REFERENCES departments(code),
    position INTEGER, role TEXT, basis TEXT, reports_via TEXT REFERENCES departments(code), note TEXT, line INTEGER,
    PRIMARY KEY (recommendation, dept));
CREATE TABLE meetings (date TEXT PRIMARY KEY, returns_by TEXT);
CREATE TABLE links (
    recommendation INTEGER REFERENCES recommendations(number), linked INTEGER REFERENCES recommendations(number),
    PRIMARY KEY (recommendation, linked));
-- An item of one source that delivers a recommendation of another (a local action under a national one).
CREATE TABLE delivers (
    recommendation INTEGER REFERENCES recommendations(number), delivered INTEGER REFERENCES recommendations(number),
    PRIMARY KEY (recommendation, delivered));
CREATE TABLE responses (
    recommendation INTEGER REFERENCES recommendations(number), position INTEGER,
    date TEXT, document TEXT, category TEXT, category_source TEXT, summary TEXT, source TEXT,
    PRIMARY KEY (recommendation, position));
-- Departments' returns, and the board's own assessments: those have no dept (see the view below).
CREATE TABLE returns (
    id INTEGER PRIMARY KEY,
    recommendation INTEGER REFERENCES recommendations(number), dept TEXT REFERENCES departments(code),
    date TEXT, rag TEXT CHECK (rag IN ('red', 'amber', 'green', 'complete')), summary TEXT,
    author TEXT, target_date TEXT, reason TEXT, file TEXT, line INTEGER,
    -- an assessment of older evidence: when the evidence is from (as written: a day, month or year),
    -- and the day from which it counts (Entry.known: the period's last day, at most `date`)
    evidence_date TEXT, known TEXT,
    -- corrections: the line of the record that withdrew or replaced this entry (it no longer counts),
    -- and, for an entry that replaces another (a correction's new values), the line of that one
    withdrawn_by INTEGER, corrects INTEGER);
CREATE TABLE corrections (
    file TEXT, line INTEGER, kind TEXT, recommendation INTEGER REFERENCES recommendations(number),
    of_date TEXT, of_line INTEGER, why TEXT, author TEXT, date TEXT,
    replacement INTEGER REFERENCES returns(id),  -- the entry with the corrected values, for `correct`
    PRIMARY KEY (file, line));
CREATE TABLE return_evidence (
    return_id INTEGER REFERENCES returns(id), position INTEGER, url TEXT,
    PRIMARY KEY (return_id, position));
CREATE INDEX idx_returns_file ON returns (file);
-- Reports ask for each owner's latest returns, each recommendation's latest revised target date
-- and the board's latest assessment, in force, in the order NEWEST_FIRST below: these hold them in
-- that order, so each look-up reads a few entries whatever the length of the history (and `show`
-- counts an owner's returns from the index alone). Recording looks an entry up by its
-- recommendation, department and date (the same return recorded before, the entry a correction
-- names, withdrawn or not), through the first.
CREATE INDEX idx_returns_latest ON returns (recommendation, dept, date, file, line);
CREATE INDEX idx_returns_revisions ON returns (recommendation, date, file, line)
    WHERE target_date IS NOT NULL AND withdrawn_by IS NULL;
CREATE INDEX idx_assessments ON returns (recommendation, coalesce(known, date), file, line)
    WHERE dept IS NULL AND withdrawn_by IS NULL;
-- The paper asks for what arrived since the last board: a look-up by date, whatever came before.
CREATE INDEX idx_returns_date ON returns (date) WHERE withdrawn_by IS NULL;
CREATE VIEW assessments AS
    SELECT id, recommendation, date, evidence_date, rag, summary, author, file, line, withdrawn_by, corrects
    FROM returns WHERE dept IS NULL;
-- Where each recommendation stood on `as_of`, in the words a board reads (`red`, `no_return`):
-- written by the sync whenever the YAML changed or a new day began, so that `datasette tracker.db`
-- shows ratings, not only returns. tracker's own commands work the standing out afresh, on any date.
CREATE TABLE standing (
    number INTEGER PRIMARY KEY REFERENCES recommendations(number), ref TEXT, section TEXT, title TEXT,
    rag TEXT, rag_from TEXT, departments_rag TEXT, awaiting TEXT, board_rag TEXT, board_date TEXT, board_summary TEXT,
    deadline TEXT, target_date TEXT, overdue INTEGER, leads TEXT, supports TEXT, as_of TEXT);
CREATE TABLE owner_standing (
    number INTEGER REFERENCES recommendations(number), ref TEXT, dept TEXT REFERENCES departments(code), role TEXT,
    reports_via TEXT REFERENCES departments(code), rag TEXT, last_rag TEXT, last_update TEXT, stale INTEGER, trend TEXT,
    owed_by TEXT REFERENCES departments(code), named_as TEXT REFERENCES departments(code), section TEXT, as_of TEXT,
    PRIMARY KEY (number, named_as));
-- The outcomes framework (outcomes.yaml) and its measures' published values (outcome_values.yaml).
CREATE TABLE outcomes_framework (title TEXT, date TEXT, link TEXT);
CREATE TABLE outcomes (code TEXT PRIMARY KEY, position INTEGER, name TEXT, kind TEXT, line INTEGER);
CREATE TABLE measures (
    code TEXT PRIMARY KEY, outcome TEXT REFERENCES outcomes(code), position INTEGER, name TEXT, unit TEXT, direction TEXT,
    baseline_value REAL, baseline_period TEXT, baseline_source TEXT, baseline_note TEXT,
    target_words TEXT, target_value REAL, target_by TEXT, target_source TEXT, note TEXT, line INTEGER);
-- period as written (2023, 2023/24, 2023-05, 2023-05-14), and its first and last days
CREATE TABLE measure_values (
    measure TEXT REFERENCES measures(code), period TEXT, period_start TEXT, period_end TEXT, value REAL,
    source TEXT, note TEXT, recorded TEXT, file TEXT, line INTEGER,
    PRIMARY KEY (measure, period));
CREATE TABLE files (
    path TEXT PRIMARY KEY, mtime_ns INTEGER, ctime_ns INTEGER, size INTEGER, inode INTEGER, lines INTEGER,
    appendable INTEGER, digests BLOB);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def create_schema(conn: Connection) -> None:
    # Statement by statement: executescript would commit the caller's transaction.
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def drop_everything(conn: Connection) -> None:
    """Drop every table and index, inside the caller's transaction."""
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall():
        if kind in ("table", "view"):
            conn.execute(f"DROP {kind.upper()} IF EXISTS [{name}]")


def in_memory(conn: Connection) -> bool:
    """Whether the connection's database is in memory (a workspace one may only read), not tracker.db."""
    return not conn.execute("PRAGMA database_list").fetchone()[2]


def data_version(conn: Connection) -> int:
    """A number that changes whenever another connection changes the database."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


# -- the files as loaded ----------------------------------------------------------------------


class LoadedFile(NamedTuple):
    fingerprint: tuple[int, int, int, int]  # see workspace.Fingerprint
    digests: bytes  # the SHA-256 of each mebibyte of the file, one after another (sync.digests)
    lines: int  # how many line ends it holds
    appendable: bool = True  # see yamlio.returns.StatusFile


def loaded_files(conn: Connection) -> dict[str, LoadedFile]:
    return {
        row["path"]: LoadedFile(
            (row["mtime_ns"], row["ctime_ns"], row["size"], row["inode"]), row["digests"], row["lines"], bool(row["appendable"])
        )
        for row in conn.execute("SELECT * FROM files")
    }


def save_file(conn: Connection, path: str, loaded: LoadedFile) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO files (path, mtime_ns, ctime_ns, size, inode, digests, lines, appendable)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [path, *loaded.fingerprint, loaded.digests, loaded.lines, loaded.appendable],
    )
