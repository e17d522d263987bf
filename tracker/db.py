"""The only module that speaks SQL: the SQLite database derived from the workspace's YAML.

The database is a cache of the YAML, kept in sync by every command: a file whose size and
modification time are unchanged since it was loaded is not read again. When something has
changed, the whole sync runs in one `BEGIN IMMEDIATE` transaction, so a failed or interrupted
sync leaves the database as it was, and two commands syncing at once take turns.
sqlite-utils (imported only when something must be written) creates the tables and loads them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, workspace
from .domain import (
    Dataset,
    Deadline,
    Department,
    HistoryEvent,
    Owner,
    Rag,
    Recommendation,
    Registry,
    Response,
    Review,
    plain,
)
from .errors import DataError, InvalidData
from .updates import StatusUpdate

if TYPE_CHECKING:
    import sqlite_utils

    from .status import RecommendationStatus

DB_NAME = "tracker.db"
RECOMMENDATIONS = workspace.MARKER

Migration = Callable[["sqlite_utils.Database"], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register a schema change; the database's user_version counts those applied."""
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("departments").create({"code": str, "name": str, "part_of": str, "line": int}, pk="code")
    db.table("department_aliases").create(
        {"code": str, "alias": str}, pk=("code", "alias"), foreign_keys=[("code", "departments", "code")]
    )
    db.table("department_history").create(
        {"code": str, "position": int, "date": str, "event": str, "from_name": str, "to_name": str, "into": str, "note": str},
        pk=("code", "position"),
        foreign_keys=[("code", "departments", "code")],
    )
    db.table("recommendations").create(
        {
            "number": int,
            "section": str,
            "section_title": str,
            "title": str,
            "text": str,
            "addressed_to": str,
            "deadline_words": str,
            "deadline_date": str,
            "deadline_reasoning": str,
            "line": int,
        },
        pk="number",
    )
    db.table("owners").create(
        {"recommendation": int, "dept": str, "position": int, "role": str, "basis": str, "note": str, "line": int},
        pk=("recommendation", "dept"),
        foreign_keys=[("recommendation", "recommendations", "number"), ("dept", "departments", "code")],
    )
    db.table("links").create(
        {"recommendation": int, "linked": int},
        pk=("recommendation", "linked"),
        foreign_keys=[("recommendation", "recommendations", "number"), ("linked", "recommendations", "number")],
    )
    db.table("responses").create(
        {
            "recommendation": int,
            "position": int,
            "date": str,
            "document": str,
            "category": str,
            "category_source": str,
            "summary": str,
            "source": str,
        },
        pk=("recommendation", "position"),
        foreign_keys=[("recommendation", "recommendations", "number")],
    )
    db.table("status_updates").create(
        {
            "id": int,
            "recommendation": int,
            "dept": str,
            "date": str,
            "rag": str,
            "summary": str,
            "author": str,
            "target_date": str,
            "reason": str,
            "source_file": str,
            "source_line": int,
        },
        pk="id",
        foreign_keys=[("recommendation", "recommendations", "number"), ("dept", "departments", "code")],
    )
    db.table("status_evidence").create(
        {"update_id": int, "position": int, "url": str},
        pk=("update_id", "position"),
        foreign_keys=[("update_id", "status_updates", "id")],
    )
    db.table("status_updates").create_index(["recommendation", "dept", "date"])
    db.table("sources").create({"path": str, "mtime_ns": int, "size": int, "sha256": str}, pk="path")
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migration
def m002_status_files(db: sqlite_utils.Database) -> None:
    # A file replaced by a rename has a new inode even when its size and time look the same.
    db.execute("ALTER TABLE sources ADD COLUMN inode INTEGER")
    db.table("status_updates").create_index(["source_file"])


@migration
def m003_source_lines(db: sqlite_utils.Database) -> None:
    # How many line ends each file holds, so a return appended to it knows its line unread.
    db.execute("ALTER TABLE sources ADD COLUMN lines INTEGER")


@migration
def m004_report_indexes(db: sqlite_utils.Database) -> None:
    # Reports ask for each owner's latest returns and each recommendation's latest revised target
    # date; these indexes keep those look-ups independent of the length of the history.
    db.execute("CREATE INDEX idx_status_updates_latest ON status_updates (recommendation, dept, date, source_line)")
    db.execute(
        "CREATE INDEX idx_status_updates_revisions ON status_updates (recommendation, date, source_line)"
        " WHERE target_date IS NOT NULL"
    )


# -- opening and syncing ----------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


Fingerprint = tuple[int, int, int]  # modification time (ns), size, inode
Connection = sqlite3.Connection


def file_fingerprint(path: Path) -> Fingerprint:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError("file not found", path.name) from None
    return st.st_mtime_ns, st.st_size, st.st_ino


def read_file(path: Path, shown: str) -> tuple[bytes, Fingerprint]:
    """A file's bytes and the fingerprint of exactly those bytes (taken from the open file)."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            return f.read(), (st.st_mtime_ns, st.st_size, st.st_ino)
    except FileNotFoundError:
        raise DataError("file not found", shown) from None
    except OSError as e:
        raise DataError(f"cannot read file: {e.strerror}", shown) from None


def _stored(conn: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {row["path"]: row for row in conn.execute("SELECT * FROM sources")}


def _row_fingerprint(row: sqlite3.Row | None) -> Fingerprint | None:
    return None if row is None else (row["mtime_ns"], row["size"], row["inode"])


def _is_fresh(conn: sqlite3.Connection, root: Path) -> bool:
    if conn.execute("PRAGMA user_version").fetchone()[0] != len(MIGRATIONS):
        return False
    if not _same_version(conn):
        return False
    stored = _stored(conn)
    files = workspace.yaml_files(root)
    if stored.keys() != files.keys():
        return False
    return all(_row_fingerprint(stored[name]) == file_fingerprint(path) for name, path in files.items())


def _same_version(conn: sqlite3.Connection) -> bool:
    # Data loaded by another version of tracker was read and checked by other rules: read it again.
    row = conn.execute("SELECT value FROM meta WHERE key = 'tracker_version'").fetchone()
    return row is not None and row[0] == __version__


def loaded_unchanged(root: Path, today: date, db_path: Path | None = None) -> dict[str, int] | None:
    """If tracker.db holds the workspace's files as they are now, its counts; else None.

    The database only ever holds data that passed every rule, so a file it holds unchanged is
    known to be valid without reading it again, save for returns dated after `today`, which
    loading allows (the clock is the caller's) but `check` does not. Never writes.
    """
    db_path = db_path or root / DB_NAME
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            if not _is_fresh(conn, root):
                return None
            if conn.execute("SELECT count(*) FROM status_updates WHERE date > ?", [today.isoformat()]).fetchone()[0]:
                return None
            return counts(conn)
        finally:
            conn.close()
    except (sqlite3.DatabaseError, DataError):
        return None


def open_db(root: Path, db_path: Path | None = None) -> sqlite3.Connection:
    """A connection to the workspace's database, brought in line with its YAML first."""
    db_path = db_path or root / DB_NAME
    if not db_path.exists():
        # Built aside and moved into place, so data that cannot be loaded leaves no database.
        return rebuild(root, db_path)
    try:
        conn = _connect(db_path)
        if _is_fresh(conn, root):
            return conn
        with _immediate(conn):
            _sync(conn, root)
        return conn
    except sqlite3.DatabaseError as e:
        if "not a database" in str(e) or "malformed" in str(e):
            raise DataError(f"{e}; it is derived from the YAML, so run `tracker load --rebuild`", db_path.name) from None
        raise


def rebuild(root: Path, db_path: Path | None = None) -> sqlite3.Connection:
    """Build the database afresh beside the old one and swap it in only when complete."""
    db_path = db_path or root / DB_NAME
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        conn = _connect(tmp)
        with _immediate(conn):
            _sync(conn, root)
        conn.close()
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    return _connect(db_path)


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE takes the write lock before reading, so a read-then-write sync never fails
    # half-way with "database is locked"; a second process waits for the first to finish.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _sync(conn: sqlite3.Connection, root: Path) -> None:
    import hashlib

    import sqlite_utils

    from . import sources
    from .updates import check_file

    db = sqlite_utils.Database(conn, execute_plugins=False)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise DataError("made by a newer version of tracker; run `tracker load --rebuild`", DB_NAME)
    trusted = version == len(MIGRATIONS) and _same_version(conn)
    for step in MIGRATIONS[version:]:
        step(db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    conn.execute("PRAGMA defer_foreign_keys = ON")

    # Read inside the transaction: another process may have synced while this one waited.
    stored = _stored(conn) if trusted else {}
    files = workspace.yaml_files(root)

    def source(name: str, fingerprint: Fingerprint, raw: bytes, digest: str) -> None:
        mtime_ns, size, inode = fingerprint
        row = {"path": name, "mtime_ns": mtime_ns, "size": size, "inode": inode, "sha256": digest, "lines": raw.count(b"\n")}
        db.table("sources").upsert(row, pk="path")

    data: Dataset | None = None
    old = stored.get(RECOMMENDATIONS)
    recommendations_changed = False
    if _row_fingerprint(old) != file_fingerprint(files[RECOMMENDATIONS]):
        raw, fingerprint = read_file(files[RECOMMENDATIONS], RECOMMENDATIONS)
        digest = hashlib.sha256(raw).hexdigest()
        if old is None or old["sha256"] != digest:
            data, problems = sources.parse_dataset(raw, RECOMMENDATIONS)
            if problems:
                raise InvalidData(problems)
            _write_dataset(db, data)
            recommendations_changed = True
        source(RECOMMENDATIONS, fingerprint, raw, digest)

    # Status files are checked against the recommendations, so all are read again when those change.
    problems = []
    for name, path in files.items():
        if name == RECOMMENDATIONS:
            continue
        old = stored.get(name)
        if not recommendations_changed and _row_fingerprint(old) == file_fingerprint(path):
            continue
        raw, fingerprint = read_file(path, name)
        digest = hashlib.sha256(raw).hexdigest()
        if not recommendations_changed and old is not None and old["sha256"] == digest and old["lines"] is not None:
            source(name, fingerprint, raw, digest)
            continue
        updates, found = sources.parse_status(raw, name)
        data = data or dataset(conn)
        found += check_file(updates, path.stem, data)
        if found:
            problems.extend(found)
            continue
        _replace_updates(conn, name, updates)
        source(name, fingerprint, raw, digest)
    for name in stored.keys() - files.keys():
        _replace_updates(conn, name, [])
        conn.execute("DELETE FROM sources WHERE path = ?", [name])
    if problems:
        raise InvalidData(problems)


def stored_lines(conn: sqlite3.Connection, name: str, fingerprint: Fingerprint) -> int | None:
    """How many line ends file `name` holds, if the database holds it as it is (`fingerprint`)."""
    row = _stored(conn).get(name)
    return row["lines"] if row is not None and _row_fingerprint(row) == fingerprint else None


def record(
    conn: sqlite3.Connection,
    root: Path,
    name: str,
    before: Fingerprint | None,
    after: Fingerprint,
    lines: int,
    updates: list[StatusUpdate],
) -> None:
    """Add returns just appended to status file `name`, which had fingerprint `before`.

    When the database still holds the file as it was before the append, only the new rows are
    written; otherwise (someone synced or edited it meanwhile) the file is read again. The new
    file's digest is left unknown: it is only a shortcut for telling a touched file from a changed one.
    """
    with _immediate(conn):
        if _row_fingerprint(_stored(conn).get(name)) == before:
            _insert_updates(conn, updates)
            conn.execute(
                "INSERT OR REPLACE INTO sources (path, mtime_ns, size, inode, sha256, lines) VALUES (?, ?, ?, ?, NULL, ?)",
                [name, *after, lines],
            )
        else:
            _sync(conn, root)


def _replace_updates(conn: sqlite3.Connection, name: str, updates: list[StatusUpdate]) -> None:
    conn.execute("DELETE FROM status_evidence WHERE update_id IN (SELECT id FROM status_updates WHERE source_file = ?)", [name])
    conn.execute("DELETE FROM status_updates WHERE source_file = ?", [name])
    _insert_updates(conn, updates)


def _insert_updates(conn: sqlite3.Connection, updates: list[StatusUpdate]) -> None:
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM status_updates").fetchone()[0]
    conn.executemany(
        "INSERT INTO status_updates (id, recommendation, dept, date, rag, summary, author, target_date, reason,"
        " source_file, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                first + i,
                u.recommendation,
                u.dept,
                u.date.isoformat(),
                u.rag.value,
                u.summary,
                u.author,
                _iso(u.target_date),
                u.reason,
                u.file,
                u.line,
            )
            for i, u in enumerate(updates)
        ),
    )
    conn.executemany(
        "INSERT INTO status_evidence (update_id, position, url) VALUES (?, ?, ?)",
        ((first + i, n, url) for i, u in enumerate(updates) for n, url in enumerate(u.evidence)),
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _write_dataset(db: sqlite_utils.Database, data: Dataset) -> None:
    for table in (
        "links",
        "responses",
        "owners",
        "recommendations",
        "department_history",
        "department_aliases",
        "departments",
        "meta",
    ):
        db.execute(f"DELETE FROM [{table}]")
    review = data.review
    db.table("meta").insert_all(
        [
            {"key": "review_title", "value": review.title},
            {"key": "review_author", "value": review.author},
            {"key": "review_published", "value": review.published.isoformat()},
            {"key": "review_source", "value": review.source},
            {"key": "reporting_window_days", "value": str(data.reporting_window_days)},
            {"key": "tracker_version", "value": __version__},
        ]
    )
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
            "deadline_date": _iso(r.deadline.date) if r.deadline else None,
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


# -- queries ----------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _grouped(conn: sqlite3.Connection, sql: str, key: str, args: Sequence[object] = ()) -> dict[Any, list[sqlite3.Row]]:
    out: dict[Any, list[sqlite3.Row]] = {}
    for row in conn.execute(sql, args):
        out.setdefault(row[key], []).append(row)
    return out


def registry(conn: sqlite3.Connection) -> Registry:
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


def dataset(conn: sqlite3.Connection) -> Dataset:
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
                owners=tuple(Owner(o["dept"], o["role"], o["basis"], o["note"], o["line"]) for o in owners.get(n, [])),
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
    return Dataset(review, int(meta["reporting_window_days"]), registry(conn), tuple(recs))


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {"recommendations": "recommendations", "departments": "departments", "returns": "status_updates"}
    return {label: conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0] for label, table in tables.items()}


def _update(row: sqlite3.Row, evidence: dict[int, list[sqlite3.Row]]) -> StatusUpdate:
    return StatusUpdate(
        recommendation=row["recommendation"],
        dept=row["dept"],
        date=date.fromisoformat(row["date"]),
        rag=Rag(row["rag"]),
        summary=row["summary"],
        author=row["author"],
        evidence=tuple(e["url"] for e in evidence.get(row["id"], [])),
        target_date=_day(row["target_date"]),
        reason=row["reason"],
        file=row["source_file"],
        line=row["source_line"],
    )


def updates(conn: sqlite3.Connection, recommendation: int | None = None) -> list[StatusUpdate]:
    """Returns (all, or one recommendation's) in the order they were recorded: by file, then by line."""
    clause, args = (" WHERE recommendation = ?", [recommendation]) if recommendation is not None else ("", [])
    ids = f"SELECT id FROM status_updates{clause}"
    evidence = _grouped(
        conn,
        f"SELECT * FROM status_evidence WHERE update_id IN ({ids}) ORDER BY update_id, position",
        "update_id",
        args,
    )
    rows = conn.execute(f"SELECT * FROM status_updates{clause} ORDER BY source_file, source_line", args)
    return [_update(row, evidence) for row in rows]


def is_recorded(conn: sqlite3.Connection, update: StatusUpdate) -> bool:
    """Whether the same return (see StatusUpdate.key) is already in the database."""
    rows = conn.execute(
        "SELECT id FROM status_updates WHERE recommendation = ? AND dept = ? AND date = ? AND rag = ? AND summary = ?"
        " AND target_date IS ? AND reason IS ?",
        [
            update.recommendation,
            update.dept,
            update.date.isoformat(),
            update.rag.value,
            update.summary,
            _iso(update.target_date),
            update.reason,
        ],
    )
    for (update_id,) in rows:
        urls = conn.execute("SELECT url FROM status_evidence WHERE update_id = ? ORDER BY position", [update_id])
        if tuple(url for (url,) in urls) == update.evidence:
            return True
    return False


def statuses(conn: sqlite3.Connection, data: Dataset, as_of: date) -> list[RecommendationStatus]:
    """Where every recommendation stood on `as_of`, ignoring returns dated after it."""
    from .status import filing_chain, owner_status, recommendation_status

    day = as_of.isoformat()
    evidence_cache: dict[int, list[sqlite3.Row]] = {}
    out = []
    for rec in data.recommendations:
        owners = []
        for owner in rec.owners:
            chain = filing_chain(data, owner, as_of)
            marks = ", ".join("?" for _ in chain)
            rows = conn.execute(
                f"SELECT * FROM status_updates WHERE recommendation = ? AND dept IN ({marks}) AND date <= ?"
                " ORDER BY date DESC, source_line DESC LIMIT 2",
                [rec.number, *chain, day],
            ).fetchall()
            latest = [_update(row, _evidence(conn, row["id"], evidence_cache)) for row in rows]
            owners.append(owner_status(data, owner, latest, as_of, data.reporting_window_days))
        row = conn.execute(
            "SELECT * FROM status_updates WHERE recommendation = ? AND target_date IS NOT NULL AND date <= ?"
            " ORDER BY date DESC, source_line DESC LIMIT 1",
            [rec.number, day],
        ).fetchone()
        revision = _update(row, _evidence(conn, row["id"], evidence_cache)) if row is not None else None
        out.append(recommendation_status(rec, owners, revision, as_of))
    return out


def _evidence(conn: sqlite3.Connection, update_id: int, cache: dict[int, list[sqlite3.Row]]) -> dict[int, list[sqlite3.Row]]:
    if update_id not in cache:
        cache[update_id] = conn.execute(
            "SELECT * FROM status_evidence WHERE update_id = ? ORDER BY position", [update_id]
        ).fetchall()
    return {update_id: cache[update_id]}
