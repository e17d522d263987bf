"""The queries: the recommendations and registry as loaded, entries by recommendation, file and
date, the latest entries on any dates (the one home of that rule in SQL), and the trail of
corrections."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from tracker.domain.departments import Department, HistoryEvent, Registry
from tracker.domain.rating import Rating
from tracker.domain.recommendations import Board, Dataset, Deadline, Owner, Recommendation, Response, Review, Source
from tracker.domain.returns import Entry, code_of_file

if TYPE_CHECKING:
    from tracker.domain.corrections import Trail
    from tracker.domain.standing import Latest
from tracker.errors import Untrusted

from .schema import Connection

# -- reading ----------------------------------------------------------------------------------


__all__ = [
    "registry",
    "dataset",
    "counts",
    "count_returns_after",
    "arrived",
    "returns",
    "assessments",
    "returns_in_file",
    "return_at",
    "NEWEST_FIRST",
    "latest_on",
    "entry_counts",
    "newest_entries",
    "in_force",
    "has_corrections",
    "trail",
]


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
_ENTRY = (
    "r.id, r.recommendation, r.dept, r.date, r.rag, r.summary, r.author, r.target_date, r.reason, r.file, r.line,"
    " r.evidence_date, e.url"
)
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
        if row[13] is not None:
            links.append(row[13])
    if first is not None:
        out.setdefault(first[0], []).append(_entry(first, tuple(links)))
    return out


def _entry(row: tuple[Any, ...], evidence: tuple[str, ...]) -> Entry:
    _, _, number, dept, day, rag, summary, author, target_date, reason, file, line, evidence_date, _ = row
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
        evidence_date,
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
            file=row["file"],
        )
    return Registry(departments)


def dataset(conn: Connection) -> Dataset:
    """Everything recommendations.yaml says, as loaded in the database."""
    meta = {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM meta")}
    owners = _grouped(conn, "SELECT * FROM owners ORDER BY recommendation, position", "recommendation")
    links = _grouped(conn, "SELECT * FROM links ORDER BY recommendation, rowid", "recommendation")
    responses = _grouped(conn, "SELECT * FROM responses ORDER BY recommendation, position", "recommendation")
    several = meta.get("sources", "0") != "0"  # a workspace of the review alone asks nothing more
    delivers = _grouped(conn, "SELECT * FROM delivers ORDER BY recommendation, rowid", "recommendation") if several else {}
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
                deadline=(
                    Deadline(row["deadline_words"], deadline_date, row["deadline_reasoning"], row["deadline_kind"])
                    if deadline_date
                    else None
                ),
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
                source=row["source"],
                ref=row["ref"] or "",
                delivers=tuple(d["delivered"] for d in delivers.get(n, [])),
                outcomes=tuple(row["outcomes"].split(", ")) if row["outcomes"] else (),
            )
        )
    review = Review(
        meta["review_title"], meta["review_author"], date.fromisoformat(meta["review_published"]), meta["review_source"]
    )
    meetings = conn.execute("SELECT date, returns_by FROM meetings ORDER BY date").fetchall()
    board = Board(
        meta.get("board_name"),
        meta.get("board_reference"),
        meta.get("board_author"),
        meta.get("board_classification"),
        tuple(date.fromisoformat(row[0]) for row in meetings),
        tuple((date.fromisoformat(row[0]), date.fromisoformat(row[1])) for row in meetings if row[1]),
    )
    sources = tuple(
        Source(
            row["key"],
            row["title"],
            row["author"],
            date.fromisoformat(row["published"]),
            row["link"],
            row["kind"],
            row["item"],
            row["items"],
            bool(row["responses"]),
            bool(row["follow"]),
            row["file"],
        )
        for row in (conn.execute("SELECT * FROM sources WHERE key != 'review' ORDER BY position") if several else ())
    )
    return Dataset(
        review,
        int(meta["reporting_window_days"]),
        registry(conn),
        tuple(recs),
        rating_owners=meta["rating_owners"],
        board=board,
        sources=sources,
        review_follow=meta.get("review_follow", "1") == "1",
    )


def counts(conn: Connection) -> dict[str, int]:
    found: dict[str, int] = {}
    items = (
        "SELECT CASE WHEN s.key != 'review' AND s.items IN ('departments', 'returns', 'assessments', 'actions')"
        " THEN s.key || ' ' || s.items ELSE s.items END,"
        " count(r.number) FROM sources s LEFT JOIN recommendations r ON r.source = s.key"
        " GROUP BY s.key ORDER BY s.position"
    )
    for word, n in conn.execute(items):
        found[word] = found.get(word, 0) + n
    tables = {
        "departments": "departments",
        "returns": "returns WHERE dept IS NOT NULL AND corrects IS NULL",
        "assessments": "assessments WHERE corrects IS NULL",
    }
    return found | {label: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for label, table in tables.items()}


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
            evidence_date=row["evidence_date"],
        )
        for row in rows
    ]


def returns(conn: Connection, recommendation: int | None = None) -> list[Entry]:
    """Departments' returns (all, or one recommendation's) in the order they were recorded: by file, then by line."""
    where, args = ("r.recommendation = ?", [recommendation]) if recommendation is not None else ("1", [])
    where = f"r.dept IS NOT NULL AND r.withdrawn_by IS NULL AND {where}"
    return _entries(conn, f"{_WITH_EVIDENCE} WHERE {where} ORDER BY r.file, r.line, r.id, e.position", args)


def assessments(conn: Connection, recommendation: int) -> list[Entry]:
    """The board's assessments of a recommendation, oldest first (by when their evidence was known, then as recorded)."""
    where = "r.dept IS NULL AND r.withdrawn_by IS NULL AND r.recommendation = ?"
    order = "coalesce(r.known, r.date), r.line, r.id, e.position"
    return _entries(conn, f"{_WITH_EVIDENCE} WHERE {where} ORDER BY {order}", [recommendation])


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
# An assessment counts from when its evidence was known (Entry.known): a paper as of an earlier
# date shows what was known then. The board's assessments are looked up, and ordered, by it.
KNOWN = "coalesce(known, date)"


@cache
def _latest_sql(days: int, owners: int) -> str:
    """The one query for "the latest entries on each of `days` dates", for `owners` (recommendation,
    code) pairs: what report, trend, the papers and the standing tables are worked out from.

    For each date, each owner's two newest returns, each recommendation's newest revision of its
    target date and the board's newest assessment, each found through its index by a look-up that
    reads a few entries, not by reading the history; with their evidence, one row per link.
    """

    def newest(scope: str, count: int, on: str = "date") -> str:
        return (
            f"r.id IN (SELECT id FROM returns WHERE {scope} AND {on} <= day.as_of AND withdrawn_by IS NULL"
            f" ORDER BY {NEWEST_FIRST.replace('date', on)} LIMIT {count})"
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
        WHERE {newest("recommendation = rec.number AND dept IS NULL", 1, KNOWN)})
SELECT latest.kind || ' ' || latest.as_of, {_ENTRY} FROM latest JOIN returns AS r ON r.id = latest.id
    LEFT JOIN return_evidence AS e ON e.return_id = r.id
ORDER BY latest.kind, latest.as_of, r.id, e.position"""


def latest_on(conn: Connection, dates: Sequence[date], owners: Sequence[tuple[int, str]]) -> dict[date, Latest]:
    """What the standing rules need on each of `dates` (see domain.standing.Latest), in one query:
    for each (recommendation, code) in `owners`, the newest two returns filed under that code on
    or before the date; each recommendation's newest revision and the board's newest assessment."""
    from tracker.domain.standing import Latest

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
    from tracker.domain.corrections import Trail  # only when there are corrections: its import costs start-up

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


# -- a database another program changed ------------------------------------------------------


def _trusted(read: Any) -> Any:
    """`read`, raising Untrusted where a value it finds is not one tracker writes (a rating
    `purple`, a date that is no date): another program changed the database."""
    import functools

    @functools.wraps(read)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return read(*args, **kwargs)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError) as e:
            what = f"{type(e).__name__}: {str(e)[:80]}"
        # Raised outside the handler, so that nothing keeps the query's cursor (and its lock) alive.
        raise Untrusted(what)

    return checked


for _name in __all__:
    if callable(globals()[_name]) and getattr(globals()[_name], "__module__", None) == __name__:
        globals()[_name] = _trusted(globals()[_name])
