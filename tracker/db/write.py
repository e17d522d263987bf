"""What changes tracker.db: the recommendations and entries loaded, entries recorded and corrected,
the look-ups recording makes to find what is recorded already, and the standing tables."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain.rating import Rating
from tracker.domain.recommendations import Dataset
from tracker.domain.returns import Entry
from tracker.domain.values import iso, parse_period, plain

if TYPE_CHECKING:
    from tracker.domain.corrections import Correction
    from tracker.domain.standing import Standing
from .schema import Connection, meta, set_meta

# -- writing ----------------------------------------------------------------------------------


__all__ = [
    "replace_dataset",
    "defer_foreign_keys",
    "forget_file",
    "delete_returns",
    "BULK",
    "inserting",
    "insert_returns",
    "Recorded",
    "recorded_as",
    "EntryKey",
    "entry_key",
    "recorded_in",
    "STANDING_AS_OF",
    "standing_as_of",
    "replace_standing",
    "OWED_RETURNS",
    "OVERDUE",
    "apply_correction",
]


def replace_dataset(conn: Connection, data: Dataset) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in (
        "links",
        "delivers",
        "responses",
        "owners",
        "recommendations",
        "sources",
        "department_history",
        "department_aliases",
        "departments",
    ):
        conn.execute(f"DELETE FROM [{table}]")
    review = data.review
    for key, value in (
        ("review_title", review.title),
        ("review_author", review.author),
        ("review_published", review.published.isoformat()),
        ("review_source", review.source),
        ("reporting_window_days", str(data.reporting_window_days)),
        ("rating_owners", data.rating_owners),
        ("review_follow", "1" if data.review_follow else "0"),
        ("sources", str(len(data.sources))),
        *((f"board_{key}", getattr(data.board, key)) for key in ("name", "reference", "author", "classification")),
    ):
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            set_meta(conn, key, value)
    conn.execute("DELETE FROM meetings")
    set_by = dict(data.board.returns_by)  # only where the board set one: a week before is the rule otherwise
    db.table("meetings").insert_all({"date": day.isoformat(), "returns_by": iso(set_by.get(day))} for day in data.board.meetings)
    db.table("sources").insert_all(
        {**s._asdict(), "published": iso(s.published), "position": i, "responses": int(s.responses), "follow": int(s.follow)}
        for i, s in enumerate(data.all_sources.values())
    )
    depts = data.registry.departments.values()
    db.table("departments").insert_all(
        {"code": d.code, "name": d.name, "part_of": d.part_of, "line": d.line, "file": d.file} for d in depts
    )
    db.table("department_aliases").insert_all({"code": d.code, "alias": a} for d in depts for a in d.aliases)
    db.table("department_history").insert_all(
        {"code": d.code, "position": i, **plain(e)} for d in depts for i, e in enumerate(d.history)
    )
    recs = data.recommendations
    db.table("recommendations").insert_all(
        {
            "number": r.number,
            "source": r.source,
            "ref": r.ref or None,
            "section": r.section,
            "section_title": r.section_title,
            "title": r.title,
            "text": r.text,
            "addressed_to": r.addressed_to,
            "deadline_words": r.deadline.words if r.deadline else None,
            "deadline_date": iso(r.deadline.date) if r.deadline else None,
            "deadline_reasoning": r.deadline.reasoning if r.deadline else None,
            "deadline_kind": r.deadline.kind if r.deadline else None,
            "line": r.line,
            "outcomes": ", ".join(r.outcomes) or None,
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
    db.table("delivers").insert_all({"recommendation": r.number, "delivered": n} for r in recs for n in r.delivers)

    db.table("responses").insert_all(
        {"recommendation": r.number, "position": i, **plain(p)} for r in recs for i, p in enumerate(r.responses)
    )


def defer_foreign_keys(conn: Connection) -> None:
    """Check references at the end of the caller's transaction, not row by row: a file loaded with
    a return on a recommendation that does not exist is refused for that, and rolled back."""
    conn.execute("PRAGMA defer_foreign_keys = ON")


def forget_file(conn: Connection, path: str) -> None:
    """Forget a file that is gone: its entries, and that it was loaded."""
    delete_returns(conn, path)
    conn.execute("DELETE FROM files WHERE path = ?", [path])


def delete_returns(conn: Connection, path: str) -> None:
    """Remove the returns loaded from file `path`."""
    defer_foreign_keys(conn)
    conn.execute("DELETE FROM return_evidence WHERE return_id IN (SELECT id FROM returns WHERE file = ?)", [path])
    conn.execute("DELETE FROM returns WHERE file = ?", [path])
    conn.execute("DELETE FROM corrections WHERE file = ?", [path])


# Inserting at least this many entries, and more than the table holds: its indexes are built again
# afterwards, in one sort each, rather than kept up to date entry by entry (a first large import).
BULK = 10_000


@contextmanager
def inserting(conn: Connection, count: int) -> Iterator[None]:
    """Around inserting `count` entries in the caller's transaction: for a bulk insert (BULK), the
    returns table's indexes are dropped first and made again after. A failure leaves them dropped
    for the transaction's rollback to bring back."""
    rebuilt = []
    if count >= BULK and count > conn.execute("SELECT coalesce(max(id), 0) FROM returns").fetchone()[0]:  # ids never shrink
        indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'returns' AND sql IS NOT NULL"
        rebuilt = conn.execute(indexes).fetchall()
        for name, _ in rebuilt:
            conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in rebuilt:
        conn.execute(sql)


def insert_returns(conn: Connection, returns: Sequence[Entry], lines: Sequence[int] | None = None) -> None:
    """Insert returns (and assessments), each on its own line or on the one `lines` gives it."""
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM returns").fetchone()[0]
    _insert_all(
        conn,
        "returns (id, recommendation, dept, date, rag, summary, author, target_date, reason, file, line, evidence_date, known)",
        [
            (row_id, number, dept or None, day.isoformat(), _RAG[rag], summary, author, iso(target), reason, file, line)
            + ((evidence_date, _known(day, evidence_date)) if evidence_date else (None, None))
            for row_id, ((number, dept, day, rag, summary, author, _, target, reason, file, _, evidence_date), line) in enumerate(
                zip(returns, [r.line for r in returns] if lines is None else lines, strict=True), first
            )
        ],
    )
    links = [(first + i, n, url) for i, r in enumerate(returns) if r.evidence for n, url in enumerate(r.evidence)]
    _insert_all(conn, "return_evidence (return_id, position, url)", links)


def _insert_all(conn: Connection, into: str, rows: Sequence[tuple[object, ...]]) -> None:
    """INSERT INTO `into` each of `rows` (tuples of one length), many to a statement: a statement
    for each row costs as much again. At most 500 values to a statement, within any SQLite's limit."""
    if not rows:
        return
    one = "(" + ", ".join("?" * len(rows[0])) + ")"
    many = 500 // len(rows[0])
    whole = len(rows) - len(rows) % many
    if whole:
        statement = f"INSERT INTO {into} VALUES {', '.join([one] * many)}"
        conn.executemany(statement, (list(chain.from_iterable(rows[i : i + many])) for i in range(0, whole, many)))
    if whole < len(rows):
        conn.executemany(f"INSERT INTO {into} VALUES {one}", rows[whole:])


_RAG = {rating: rating.value for rating in Rating}  # as the database holds it


def _known(day: date, evidence_date: str) -> str:
    """Entry.known, as the database holds it: from when an assessment of older evidence counts."""
    return min(parse_period(evidence_date)[1], day).isoformat()


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
        " AND target_date IS ? AND reason IS ? AND evidence_date IS ?",
        [ret.recommendation, ret.dept or None, ret.date.isoformat(), ret.file, ret.rag.value, ret.summary]
        + [iso(ret.target_date), ret.reason, ret.evidence_date],
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
        ret.evidence_date,
    )


def recorded_in(conn: Connection, path: str) -> dict[EntryKey, list[Recorded]]:
    """Every entry of file `path`, by entry_key: read once, for an import of about as many returns
    as the file holds (cheaper then than a look-up for each)."""
    found: dict[EntryKey, list[Recorded]] = {}
    for number, dept, day, rag, summary, target, reason, evidence_date, line, in_force, as_written, links in conn.execute(
        "SELECT recommendation, dept, date, rag, summary, target_date, reason, evidence_date, line, withdrawn_by IS NULL,"
        f" corrects IS NULL, {_LINKS} FROM returns WHERE file = ?",
        [path],
    ):
        key = (number, dept, day, rag, summary, _links(links), target, reason, evidence_date)
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
        "INSERT INTO standing (number, ref, section, title, rag, rag_from, departments_rag, awaiting, board_rag, board_date,"
        " board_summary, deadline, target_date, overdue, leads, supports, as_of)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (s.rec.number, s.rec.shown, s.rec.section, s.rec.title, s.rag.value, "board" if s.by_board else "departments")
            + (s.departments_rag.value, ", ".join(s.awaiting) or None)
            + ((s.assessment.rag.value, s.assessment.date.isoformat(), s.assessment.summary) if s.assessment else (None,) * 3)
            + (iso(s.deadline), iso(s.target_date), s.overdue)
            + (", ".join(o.shown for o in s.owners if o.role == "lead") or None,)
            + (", ".join(o.shown for o in s.owners if o.role != "lead") or None, day)
            for s in standings
        ),
    )
    from tracker.domain.standing import owed

    owing = {(s.rec.number, o.named_as): code for code, items in owed(standings).items() for s, o in items}
    conn.executemany(
        "INSERT INTO owner_standing (number, ref, dept, role, reports_via, rag, last_rag, last_update, stale, trend,"
        " owed_by, named_as, section, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (s.rec.number, s.rec.shown, o.dept, o.role, o.via, o.rag.value, o.last_rag.value if o.last_rag else None)
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
