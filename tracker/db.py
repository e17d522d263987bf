"""The only module that speaks SQL: the schema of tracker.db and the queries on it.

The database is derived from the YAML and never edited by hand, so its schema is not migrated:
a database built with another SCHEMA_VERSION (or by other rules, see sync.py) is rebuilt.
sqlite-utils (imported only when something is written) creates the tables and loads them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .domain.departments import Department, HistoryEvent, Registry
from .domain.rating import Rating
from .domain.recommendations import Board, Dataset, Deadline, Owner, Recommendation, Response, Review
from .domain.returns import Entry, code_of_file
from .domain.values import iso, plain

if TYPE_CHECKING:
    from .domain.corrections import Correction, Trail
    from .domain.standing import Latest, Standing

NAME = "tracker.db"
# Change this with the schema below: a database of another version is rebuilt from the YAML.
SCHEMA_VERSION = 12

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
CREATE TABLE departments (code TEXT PRIMARY KEY, name TEXT, part_of TEXT, line INTEGER);
CREATE TABLE department_aliases (
    code TEXT REFERENCES departments(code), alias TEXT,
    PRIMARY KEY (code, alias));
CREATE TABLE department_history (
    code TEXT REFERENCES departments(code), position INTEGER,
    date TEXT, event TEXT, from_name TEXT, to_name TEXT, "into" TEXT, note TEXT,
    PRIMARY KEY (code, position));
CREATE TABLE recommendations (
    number INTEGER PRIMARY KEY, section TEXT, section_title TEXT, title TEXT, text TEXT, addressed_to TEXT,
    deadline_words TEXT, deadline_date TEXT, deadline_reasoning TEXT, line INTEGER);
CREATE TABLE owners (
    recommendation INTEGER REFERENCES recommendations(number), dept TEXT REFERENCES departments(code),
    position INTEGER, role TEXT, basis TEXT, reports_via TEXT REFERENCES departments(code), note TEXT, line INTEGER,
    PRIMARY KEY (recommendation, dept));
CREATE TABLE meetings (date TEXT PRIMARY KEY);
CREATE TABLE links (
    recommendation INTEGER REFERENCES recommendations(number), linked INTEGER REFERENCES recommendations(number),
    PRIMARY KEY (recommendation, linked));
CREATE TABLE responses (
    recommendation INTEGER REFERENCES recommendations(number), position INTEGER,
    date TEXT, document TEXT, category TEXT, category_source TEXT, summary TEXT, source TEXT,
    PRIMARY KEY (recommendation, position));
-- Departments' returns, and the board's own assessments: those have no dept (see the view below).
CREATE TABLE returns (
    id INTEGER PRIMARY KEY,
    recommendation INTEGER REFERENCES recommendations(number), dept TEXT REFERENCES departments(code),
    date TEXT, rag TEXT, summary TEXT, author TEXT, target_date TEXT, reason TEXT, file TEXT, line INTEGER,
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
CREATE INDEX idx_assessments ON returns (recommendation, date, file, line) WHERE dept IS NULL AND withdrawn_by IS NULL;
-- The paper asks for what arrived since the last board: a look-up by date, whatever came before.
CREATE INDEX idx_returns_date ON returns (date) WHERE withdrawn_by IS NULL;
CREATE VIEW assessments AS
    SELECT id, recommendation, date, rag, summary, author, file, line, withdrawn_by, corrects FROM returns WHERE dept IS NULL;
-- Where each recommendation stood on `as_of`, in the words a board reads (`red`, `no_return`):
-- written by the sync whenever the YAML changed or a new day began, so that `datasette tracker.db`
-- shows ratings, not only returns. tracker's own commands work the standing out afresh, on any date.
CREATE TABLE standing (
    number INTEGER PRIMARY KEY REFERENCES recommendations(number), section TEXT, title TEXT,
    rag TEXT, rag_from TEXT, departments_rag TEXT, board_rag TEXT, board_date TEXT, board_summary TEXT,
    deadline TEXT, target_date TEXT, overdue INTEGER, leads TEXT, supports TEXT, as_of TEXT);
CREATE TABLE owner_standing (
    number INTEGER REFERENCES recommendations(number), dept TEXT REFERENCES departments(code), role TEXT,
    reports_via TEXT REFERENCES departments(code), rag TEXT, last_rag TEXT, last_update TEXT, stale INTEGER, trend TEXT,
    owed_by TEXT REFERENCES departments(code), named_as TEXT REFERENCES departments(code), section TEXT, as_of TEXT,
    PRIMARY KEY (number, named_as));
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


def forget_file(conn: Connection, path: str) -> None:
    delete_returns(conn, path)
    conn.execute("DELETE FROM files WHERE path = ?", [path])


# -- writing ----------------------------------------------------------------------------------


def replace_dataset(conn: Connection, data: Dataset) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in ("links", "responses", "owners", "recommendations", "department_history", "department_aliases", "departments"):
        conn.execute(f"DELETE FROM [{table}]")
    review = data.review
    for key, value in (
        ("review_title", review.title),
        ("review_author", review.author),
        ("review_published", review.published.isoformat()),
        ("review_source", review.source),
        ("reporting_window_days", str(data.reporting_window_days)),
        ("rating_owners", data.rating_owners),
        *((f"board_{key}", getattr(data.board, key)) for key in ("name", "reference", "author", "classification")),
    ):
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            set_meta(conn, key, value)
    conn.execute("DELETE FROM meetings")
    db.table("meetings").insert_all({"date": day.isoformat()} for day in data.board.meetings)
    depts = data.registry.departments.values()
    db.table("departments").insert_all({"code": d.code, "name": d.name, "part_of": d.part_of, "line": d.line} for d in depts)
    db.table("department_aliases").insert_all({"code": d.code, "alias": a} for d in depts for a in d.aliases)
    db.table("department_history").insert_all(
        {"code": d.code, "position": i, **plain(e)} for d in depts for i, e in enumerate(d.history)
    )
    recs = data.recommendations
    db.table("recommendations").insert_all(
        {
            "number": r.number,
            "section": r.section,
            "section_title": r.section_title,
            "title": r.title,
            "text": r.text,
            "addressed_to": r.addressed_to,
            "deadline_words": r.deadline.words if r.deadline else None,
            "deadline_date": iso(r.deadline.date) if r.deadline else None,
            "deadline_reasoning": r.deadline.reasoning if r.deadline else None,
            "line": r.line,
        }
        for r in recs
    )
    db.table("owners").insert_all(
        {
            "recommendation": r.number,
            "dept": o.dept,
            "position": i,
            "role": o.role,
            "basis": o.basis,
            "reports_via": o.reports_via,
            "note": o.note,
            "line": o.line,
        }
        for r in recs
        for i, o in enumerate(r.owners)
    )
    db.table("links").insert_all({"recommendation": r.number, "linked": n} for r in recs for n in r.links)
    db.table("responses").insert_all(
        {"recommendation": r.number, "position": i, **plain(p)} for r in recs for i, p in enumerate(r.responses)
    )


def defer_foreign_keys(conn: Connection) -> None:
    """Check references at the end of the caller's transaction, not row by row: a file loaded with
    a return on a recommendation that does not exist is refused for that, and rolled back."""
    conn.execute("PRAGMA defer_foreign_keys = ON")


def delete_returns(conn: Connection, path: str) -> None:
    """Remove the returns loaded from file `path`."""
    defer_foreign_keys(conn)
    conn.execute("DELETE FROM return_evidence WHERE return_id IN (SELECT id FROM returns WHERE file = ?)", [path])
    conn.execute("DELETE FROM returns WHERE file = ?", [path])
    conn.execute("DELETE FROM corrections WHERE file = ?", [path])


def insert_returns(conn: Connection, returns: Sequence[Entry], lines: Sequence[int] | None = None) -> None:
    """Insert returns (and assessments), each on its own line or on the one `lines` gives it."""
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM returns").fetchone()[0]
    conn.executemany(
        "INSERT INTO returns (id, recommendation, dept, date, rag, summary, author, target_date, reason, file, line)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (first + i, r.recommendation, r.dept or None, r.date.isoformat(), r.rag.value, r.summary, r.author)
            + (iso(r.target_date), r.reason, r.file, r.line if lines is None else lines[i])
            for i, r in enumerate(returns)
        ],
    )
    conn.executemany(
        "INSERT INTO return_evidence (return_id, position, url) VALUES (?, ?, ?)",
        ((first + i, n, url) for i, r in enumerate(returns) for n, url in enumerate(r.evidence)),
    )


class Recorded(NamedTuple):
    """An entry a file holds that is the same return as one being recorded (Entry.key)."""

    line: int
    in_force: bool  # no correction has withdrawn or replaced it
    as_written: bool  # as its file holds it, not a correction's new values


# An entry's links, each after its place among them (a link holds no white space), in any order.
_LINKS = "(SELECT group_concat(position || ' ' || url, char(10)) FROM return_evidence WHERE return_id = id)"


def _links(text: str | None) -> tuple[str, ...]:
    placed = sorted((int(n), url) for n, _, url in (link.partition(" ") for link in text.split("\n"))) if text else []
    return tuple(url for _, url in placed)


def recorded_as(conn: Connection, ret: Entry) -> list[Recorded]:
    """The entries of `ret`'s file that are the same return as `ret`: an indexed look-up, so that
    what a file already holds is known whatever its length, without reading it."""
    rows = conn.execute(
        f"SELECT line, withdrawn_by IS NULL, corrects IS NULL, {_LINKS} FROM returns"
        " WHERE recommendation = ? AND dept IS ? AND date = ? AND file = ? AND rag = ? AND summary = ?"
        " AND target_date IS ? AND reason IS ?",
        [ret.recommendation, ret.dept or None, ret.date.isoformat(), ret.file, ret.rag.value, ret.summary]
        + [iso(ret.target_date), ret.reason],
    ).fetchall()
    return [
        Recorded(line, bool(in_force), bool(as_written))
        for line, in_force, as_written, links in rows
        if _links(links) == ret.evidence
    ]


EntryKey = tuple[object, ...]


def entry_key(ret: Entry) -> EntryKey:
    """What makes two returns the same (Entry.key), as the database holds it: for `recorded_in`."""
    return (ret.recommendation, ret.dept or None, ret.date.isoformat(), ret.rag.value, ret.summary) + (
        ret.evidence,
        iso(ret.target_date),
        ret.reason,
    )


def recorded_in(conn: Connection, path: str) -> dict[EntryKey, list[Recorded]]:
    """Every entry of file `path`, by entry_key: read once, for an import of about as many returns
    as the file holds (cheaper then than a look-up for each)."""
    found: dict[EntryKey, list[Recorded]] = {}
    for number, dept, day, rag, summary, target, reason, line, in_force, as_written, links in conn.execute(
        "SELECT recommendation, dept, date, rag, summary, target_date, reason, line, withdrawn_by IS NULL, corrects IS NULL,"
        f" {_LINKS} FROM returns WHERE file = ?",
        [path],
    ):
        key = (number, dept, day, rag, summary, _links(links), target, reason)
        found.setdefault(key, []).append(Recorded(line, bool(in_force), bool(as_written)))
    return found


STANDING_AS_OF = "standing_as_of"  # the key in `meta` of the date the standing tables are as of


def standing_as_of(conn: Connection) -> str | None:
    """The date (YYYY-MM-DD) the standing tables hold the standing on, if they hold one."""
    return meta(conn, STANDING_AS_OF)


def replace_standing(
    conn: Connection, as_of: date | None, standings: Sequence[Standing], only: Collection[int] | None = None
) -> None:
    """Write where every recommendation stands on `as_of`, inside the caller's transaction; with
    `as_of` None, empty the standing tables: what they held no longer follows from the record.
    With `only`, the standing of those recommendations replaces theirs, and the rest stays."""
    if only is not None:
        marks = ", ".join("?" for _ in only)
        conn.execute(f"DELETE FROM owner_standing WHERE number IN ({marks})", list(only))
        conn.execute(f"DELETE FROM standing WHERE number IN ({marks})", list(only))
    else:
        conn.execute("DELETE FROM owner_standing")
        conn.execute("DELETE FROM standing")
    if as_of is None:
        conn.execute("DELETE FROM meta WHERE key = ?", [STANDING_AS_OF])
        return
    day = as_of.isoformat()
    conn.executemany(
        "INSERT INTO standing (number, section, title, rag, rag_from, departments_rag, board_rag, board_date, board_summary,"
        " deadline, target_date, overdue, leads, supports, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (s.rec.number, s.rec.section, s.rec.title, s.rag.value, "board" if s.by_board else "departments")
            + (s.departments_rag.value,)
            + ((s.assessment.rag.value, s.assessment.date.isoformat(), s.assessment.summary) if s.assessment else (None,) * 3)
            + (iso(s.deadline), iso(s.target_date), s.overdue)
            + (", ".join(o.shown for o in s.owners if o.role == "lead") or None,)
            + (", ".join(o.shown for o in s.owners if o.role != "lead") or None, day)
            for s in standings
        ),
    )
    from .domain.standing import owed

    owing = {(s.rec.number, o.named_as): code for code, items in owed(standings).items() for s, o in items}
    conn.executemany(
        "INSERT INTO owner_standing (number, dept, role, reports_via, rag, last_rag, last_update, stale, trend, owed_by,"
        " named_as, section, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (s.rec.number, o.dept, o.role, o.via, o.rag.value, o.last_rag.value if o.last_rag else None)
            + (iso(o.latest.date if o.latest else None), o.stale, o.trend, owing.get((s.rec.number, o.named_as)))
            + (o.named_as, s.rec.section, day)
            for s in standings
            for o in s.owners
        ),
    )
    set_meta(conn, STANDING_AS_OF, day)


# The canned queries that `tracker datasette-metadata` offers, on the standing tables above: who owes
# a return and what is overdue are the domain's rules (standing.owed, Standing.overdue), written
# into the tables with the rest of the standing, not worked out again here.
OWED_RETURNS = """SELECT o.owed_by, o.dept AS owner, o.role, o.number, s.title,
    o.last_rag, o.last_update,
    CAST(julianday(o.as_of) - julianday(o.last_update) AS INTEGER) AS days_since_last,
    o.as_of
FROM owner_standing AS o JOIN standing AS s ON s.number = o.number
WHERE o.owed_by IS NOT NULL
ORDER BY o.owed_by, o.number, o.role, o.dept"""
OVERDUE = """SELECT number, section, title, rag, departments_rag, board_rag, target_date, deadline,
    CAST(julianday(as_of) - julianday(target_date) AS INTEGER) AS days_overdue, leads, as_of
FROM standing
WHERE overdue
ORDER BY target_date, number"""


# -- reading ----------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _grouped(conn: Connection, sql: str, key: str, args: Sequence[object] = ()) -> dict[Any, list[sqlite3.Row]]:
    out: dict[Any, list[sqlite3.Row]] = {}
    for row in conn.execute(sql, args):
        out.setdefault(row[key], []).append(row)
    return out


# What every query that gives entries selects, after the key it groups them by: an entry's columns
# in this order, then a link of its evidence, one row per link (LEFT JOIN return_evidence, in order
# of position), an entry's rows one after another. Read as plain tuples: a long history reads fast.
_ENTRY = "r.id, r.recommendation, r.dept, r.date, r.rag, r.summary, r.author, r.target_date, r.reason, r.file, r.line, e.url"
_WITH_EVIDENCE = f"SELECT NULL, {_ENTRY} FROM returns AS r LEFT JOIN return_evidence AS e ON e.return_id = r.id"
_RATINGS = {rating.value: rating for rating in Rating}


def _grouped_entries(conn: Connection, sql: str, args: Sequence[object]) -> dict[Any, list[Entry]]:
    """The entries `sql` selects (the key, then _ENTRY's columns), grouped by the key. `sql` orders
    the rows so that each entry's come together (by its id after any other order), in their links' order."""
    cursor = conn.cursor()
    cursor.row_factory = None
    out: dict[Any, list[Entry]] = {}
    first: tuple[Any, ...] | None = None
    links: list[str] = []
    for row in cursor.execute(sql, args):
        if first is None or row[0] != first[0] or row[1] != first[1]:
            if first is not None:
                out.setdefault(first[0], []).append(_entry(first, tuple(links)))
            first, links = row, []
        if row[12] is not None:
            links.append(row[12])
    if first is not None:
        out.setdefault(first[0], []).append(_entry(first, tuple(links)))
    return out


def _entry(row: tuple[Any, ...], evidence: tuple[str, ...]) -> Entry:
    _, _, number, dept, day, rag, summary, author, target_date, reason, file, line, _ = row
    return Entry(
        number,
        dept or "",
        date.fromisoformat(day),
        _RATINGS[rag],
        summary,
        author,
        evidence,
        _day(target_date),
        reason,
        file,
        line,
    )


def _entries(conn: Connection, sql: str, args: Sequence[object]) -> list[Entry]:
    """The entries a query selects, in its order: `sql` is _WITH_EVIDENCE and what follows."""
    return _grouped_entries(conn, sql, args).get(None, [])


def registry(conn: Connection) -> Registry:
    aliases = _grouped(conn, "SELECT code, alias FROM department_aliases ORDER BY rowid", "code")
    history = _grouped(conn, "SELECT * FROM department_history ORDER BY code, position", "code")
    departments = {}
    for row in conn.execute("SELECT * FROM departments ORDER BY rowid"):
        code = row["code"]
        departments[code] = Department(
            code=code,
            name=row["name"],
            part_of=row["part_of"],
            aliases=tuple(a["alias"] for a in aliases.get(code, [])),
            history=tuple(
                HistoryEvent(date.fromisoformat(h["date"]), h["event"], h["note"], h["from_name"], h["to_name"], h["into"])
                for h in history.get(code, [])
            ),
            line=row["line"],
        )
    return Registry(departments)


def dataset(conn: Connection) -> Dataset:
    """Everything recommendations.yaml says, as loaded in the database."""
    meta = {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM meta")}
    owners = _grouped(conn, "SELECT * FROM owners ORDER BY recommendation, position", "recommendation")
    links = _grouped(conn, "SELECT * FROM links ORDER BY recommendation, rowid", "recommendation")
    responses = _grouped(conn, "SELECT * FROM responses ORDER BY recommendation, position", "recommendation")
    recs = []
    for row in conn.execute("SELECT * FROM recommendations ORDER BY number"):
        n = row["number"]
        deadline_date = _day(row["deadline_date"])
        recs.append(
            Recommendation(
                number=n,
                section=row["section"],
                section_title=row["section_title"],
                title=row["title"],
                text=row["text"],
                owners=tuple(
                    Owner(o["dept"], o["role"], o["basis"], o["note"], o["line"], o["reports_via"]) for o in owners.get(n, [])
                ),
                deadline=Deadline(row["deadline_words"], deadline_date, row["deadline_reasoning"]) if deadline_date else None,
                links=tuple(link["linked"] for link in links.get(n, [])),
                responses=tuple(
                    Response(
                        date.fromisoformat(p["date"]),
                        p["document"],
                        p["category"],
                        p["category_source"],
                        p["summary"],
                        p["source"],
                    )
                    for p in responses.get(n, [])
                ),
                addressed_to=row["addressed_to"],
                line=row["line"],
            )
        )
    review = Review(
        meta["review_title"], meta["review_author"], date.fromisoformat(meta["review_published"]), meta["review_source"]
    )
    board = Board(
        meta.get("board_name"),
        meta.get("board_reference"),
        meta.get("board_author"),
        meta.get("board_classification"),
        tuple(date.fromisoformat(row[0]) for row in conn.execute("SELECT date FROM meetings ORDER BY date")),
    )
    return Dataset(
        review, int(meta["reporting_window_days"]), registry(conn), tuple(recs), rating_owners=meta["rating_owners"], board=board
    )


def counts(conn: Connection) -> dict[str, int]:
    tables = {
        "recommendations": "recommendations",
        "departments": "departments",
        "returns": "returns WHERE dept IS NOT NULL AND corrects IS NULL",
        "assessments": "assessments WHERE corrects IS NULL",
    }
    return {label: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for label, table in tables.items()}


def count_returns_after(conn: Connection, day: date) -> int:
    """How many returns and assessments are dated after `day`."""
    return int(
        conn.execute("SELECT count(*) FROM returns WHERE date > ? AND withdrawn_by IS NULL", [day.isoformat()]).fetchone()[0]
    )


def arrived(conn: Connection, since: date, until: date) -> list[Entry]:
    """The returns and assessments in force dated after `since` up to `until`, in the order they were loaded."""
    where = "r.date > ? AND r.date <= ? AND r.withdrawn_by IS NULL"
    return _entries(conn, f"{_WITH_EVIDENCE} WHERE {where} ORDER BY r.id, e.position", [since.isoformat(), until.isoformat()])


def _returns(conn: Connection, where: str, args: Sequence[object], order: str = "") -> list[Entry]:
    rows = conn.execute(f"SELECT * FROM returns WHERE {where}{order}", args).fetchall()
    if not rows:  # most owners' look-ups on a quiet record: no second query
        return []
    evidence = _grouped(
        conn,
        f"SELECT * FROM return_evidence WHERE return_id IN (SELECT id FROM returns WHERE {where}) ORDER BY return_id, position",
        "return_id",
        args,
    )
    return [
        Entry(
            recommendation=row["recommendation"],
            dept=row["dept"] or "",
            date=date.fromisoformat(row["date"]),
            rag=Rating(row["rag"]),
            summary=row["summary"],
            author=row["author"],
            evidence=tuple(e["url"] for e in evidence.get(row["id"], [])),
            target_date=_day(row["target_date"]),
            reason=row["reason"],
            file=row["file"],
            line=row["line"],
        )
        for row in rows
    ]


def returns(conn: Connection, recommendation: int | None = None) -> list[Entry]:
    """Departments' returns (all, or one recommendation's) in the order they were recorded: by file, then by line."""
    where, args = ("r.recommendation = ?", [recommendation]) if recommendation is not None else ("1", [])
    where = f"r.dept IS NOT NULL AND r.withdrawn_by IS NULL AND {where}"
    return _entries(conn, f"{_WITH_EVIDENCE} WHERE {where} ORDER BY r.file, r.line, r.id, e.position", args)


def assessments(conn: Connection, recommendation: int) -> list[Entry]:
    """The board's assessments of a recommendation, oldest first (by date, then as recorded)."""
    where = "r.dept IS NULL AND r.withdrawn_by IS NULL AND r.recommendation = ?"
    return _entries(conn, f"{_WITH_EVIDENCE} WHERE {where} ORDER BY r.date, r.line, r.id, e.position", [recommendation])


def returns_in_file(conn: Connection, path: str) -> list[Entry]:
    """The returns loaded from file `path`, in their order in it."""
    return _returns(conn, "file = ?", [path], " ORDER BY line")


def return_at(conn: Connection, path: str, line: int) -> Entry | None:
    """The return loaded from line `line` of file `path`, if there is one."""
    found = _returns(conn, "file = ? AND line = ? AND corrects IS NULL", [path, line])  # as written
    return found[0] if found else None


# -- the latest entries on a date ---------------------------------------------------------------

# The order in which entries follow each other: the latest date first, and of two on one date the
# one later in its file (domain.returns.newest_first). The queries below narrow the history down by
# it to the few entries the domain's rules read; the rules decide among them.
NEWEST_FIRST = "date DESC, file DESC, line DESC"


@cache
def _latest_sql(days: int, owners: int) -> str:
    """The one query for "the latest entries on each of `days` dates", for `owners` (recommendation,
    code) pairs: what report, trend, the papers and the standing tables are worked out from.

    For each date, each owner's two newest returns, each recommendation's newest revision of its
    target date and the board's newest assessment, each found through its index by a look-up that
    reads a few entries, not by reading the history; with their evidence, one row per link.
    """

    def newest(scope: str, count: int) -> str:
        return (
            f"r.id IN (SELECT id FROM returns WHERE {scope} AND date <= day.as_of AND withdrawn_by IS NULL"
            f" ORDER BY {NEWEST_FIRST} LIMIT {count})"
        )

    return f"""WITH day(as_of) AS (VALUES {", ".join(["(?)"] * days)}),
owner(recommendation, dept) AS (VALUES {", ".join(["(?, ?)"] * owners)}),
latest(kind, as_of, id) AS (
    SELECT 'returns', day.as_of, r.id FROM day, owner, returns AS r
        WHERE {newest("recommendation = owner.recommendation AND dept = owner.dept", 2)}
    UNION ALL
    SELECT 'revisions', day.as_of, r.id FROM day, recommendations AS rec, returns AS r
        WHERE {newest("recommendation = rec.number AND target_date IS NOT NULL", 1)}
    UNION ALL
    SELECT 'assessments', day.as_of, r.id FROM day, recommendations AS rec, returns AS r
        WHERE {newest("recommendation = rec.number AND dept IS NULL", 1)})
SELECT latest.kind || ' ' || latest.as_of, {_ENTRY} FROM latest JOIN returns AS r ON r.id = latest.id
    LEFT JOIN return_evidence AS e ON e.return_id = r.id
ORDER BY latest.kind, latest.as_of, r.id, e.position"""


def latest_on(conn: Connection, dates: Sequence[date], owners: Sequence[tuple[int, str]]) -> dict[date, Latest]:
    """What the standing rules need on each of `dates` (see domain.standing.Latest), in one query:
    for each (recommendation, code) in `owners`, the newest two returns filed under that code on
    or before the date; each recommendation's newest revision and the board's newest assessment."""
    from .domain.standing import Latest

    days = sorted(set(dates))  # a date given twice would give each entry twice
    if not days:
        return {}
    kinds = ("returns", "revisions", "assessments")
    found: dict[date, tuple[dict[Any, list[Entry]], ...]] = {day: ({}, {}, {}) for day in days}
    pairs = list(owners) or [(0, "")]  # VALUES needs a row: this one names no recommendation
    args = [day.isoformat() for day in days] + [value for pair in pairs for value in pair]
    for key, entries in _grouped_entries(conn, _latest_sql(len(days), len(pairs)), args).items():
        kind, day = key.split(" ")
        table = found[date.fromisoformat(day)][kinds.index(kind)]
        for entry in entries:
            table.setdefault((entry.recommendation, entry.dept) if kind == "returns" else entry.recommendation, []).append(entry)
    return {day: Latest(*tables) for day, tables in found.items()}


def entry_counts(conn: Connection, recommendation: int) -> dict[str, int]:
    """How many returns in force each department has made on `recommendation`, by the code it filed
    under; "" for the board's assessments. From the index alone, whatever the length of the history."""
    return {
        row[0]: row[1]
        for row in conn.execute(
            "SELECT coalesce(dept, '') AS code, count(*) FROM returns WHERE recommendation = ? AND withdrawn_by IS NULL"
            " GROUP BY dept ORDER BY code",
            [recommendation],
        )
    }


def newest_entries(conn: Connection, recommendation: int, codes: Sequence[str], count: int) -> list[Entry]:
    """The `count` newest returns in force on `recommendation` filed under each of `codes` (in the
    order of NEWEST_FIRST; "" for the board's assessments), in the order they were recorded."""
    if not codes:
        return []
    scope = "recommendation = ? AND dept IS nullif(code.dept, '') AND withdrawn_by IS NULL"
    return _entries(
        conn,
        f"WITH code(dept) AS (VALUES {', '.join(['(?)'] * len(codes))})"
        f" SELECT NULL, {_ENTRY} FROM code, returns AS r LEFT JOIN return_evidence AS e ON e.return_id = r.id"
        f" WHERE r.id IN (SELECT id FROM returns WHERE {scope} ORDER BY {NEWEST_FIRST} LIMIT ?)"
        " ORDER BY r.file, r.line, r.id, e.position",
        [*codes, recommendation, count],
    )


# -- corrections ------------------------------------------------------------------------------


def in_force(conn: Connection, path: str, recommendation: int, day: date) -> list[Entry]:
    """The entries of file `path` on `recommendation` dated `day` that no correction has withdrawn or replaced."""
    # By the index on recommendation, department and date: a file holds its one department's entries.
    where = "recommendation = ? AND dept IS ? AND date = ? AND file = ? AND withdrawn_by IS NULL"
    return _returns(conn, where, [recommendation, code_of_file(path) or None, day.isoformat(), path], " ORDER BY line")


def apply_correction(conn: Connection, c: Correction, target: Entry, replacement: Entry | None) -> None:
    """Record correction `c`: `target` no longer counts; `replacement` (its corrected values, in its place) does."""
    where = "recommendation = ? AND dept IS ? AND date = ? AND file = ? AND line = ? AND withdrawn_by IS NULL"  # by its index
    args = [target.recommendation, target.dept or None, target.date.isoformat(), c.file, target.line]
    conn.execute(f"UPDATE returns SET withdrawn_by = ? WHERE {where}", [c.line, *args])
    replaced = None
    if replacement is not None:
        insert_returns(conn, [replacement])
        replaced = conn.execute("SELECT max(id) FROM returns").fetchone()[0]
        conn.execute("UPDATE returns SET corrects = ? WHERE id = ?", [target.line, replaced])
    conn.execute(
        "INSERT INTO corrections (file, line, kind, recommendation, of_date, of_line, why, author, date, replacement)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            c.file,
            c.line,
            c.kind,
            c.recommendation,
            c.of_date.isoformat(),
            target.line,
            c.why,
            c.author,
            c.date.isoformat(),
            replaced,
        ],
    )


def has_corrections(conn: Connection, path: str) -> bool:
    return conn.execute("SELECT 1 FROM corrections WHERE file = ? LIMIT 1", [path]).fetchone() is not None


def trail(
    conn: Connection, recommendation: int | None = None, since: date | None = None, until: date | None = None
) -> list[Trail]:
    """The corrections (of one recommendation's entries, or recorded after `since` up to `until`), in the order recorded."""
    where, args = ("recommendation = ?", list[object]([recommendation])) if recommendation is not None else ("1", list[object]())
    if since is not None and until is not None:
        where += " AND date > ? AND date <= ?"
        args += [since.isoformat(), until.isoformat()]
    # The entry as it stood before each correction: the one it withdrew (withdrawn_by its line).
    of = "(SELECT r.id FROM returns AS r WHERE r.file = c.file AND r.line = c.of_line AND r.withdrawn_by = c.line)"
    scope = f"FROM corrections AS c WHERE {where}"
    rows = conn.execute(f"SELECT c.*, {of} AS of_id {scope} ORDER BY c.date, c.file, c.line", args).fetchall()
    if not rows:
        return []
    from .domain.corrections import Trail  # only when there are corrections: its import costs start-up

    ids = f"SELECT {of} {scope} UNION SELECT c.replacement {scope}"
    sql = f"SELECT r.id, {_ENTRY} FROM returns AS r LEFT JOIN return_evidence AS e ON e.return_id = r.id WHERE r.id IN ({ids})"
    entries = _grouped_entries(conn, f"{sql} ORDER BY r.id, e.position", [*args, *args])
    return [
        Trail(
            row["kind"],
            row["file"],
            row["line"],
            entries[row["of_id"]][0],
            entries[row["replacement"]][0] if row["replacement"] is not None else None,
            row["why"],
            row["author"],
            _day(row["date"]) or date.min,
        )
        for row in rows
        if row["of_id"] is not None
    ]
