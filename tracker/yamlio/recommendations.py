"""Reading recommendations.yaml: the review, the department registry and the recommendations."""

from __future__ import annotations

import re
from datetime import date, timedelta

from yaml.nodes import MappingNode, Node, ScalarNode

from tracker.domain.departments import EVENTS, Department, HistoryEvent, Registry
from tracker.domain.problem import Problem
from tracker.domain.recommendations import (
    BASES,
    CATEGORIES,
    CATEGORY_SOURCES,
    DEADLINE_KINDS,
    RATING_OWNERS,
    ROLES,
    SOURCE_BASE,
    SOURCE_KINDS,
    Board,
    Dataset,
    Deadline,
    Owner,
    Recommendation,
    Response,
    Review,
    Source,
    validate,
)
from tracker.domain.sources import ParsedSource
from tracker.domain.values import excerpt

from .strict import Reader, compose, decode, line_of, peek_number

# Ten years: a window longer than that is a mistake, and dates before it would leave the calendar.
MAX_WINDOW_DAYS = 3650
# A code names its department's status file, so it must be a safe file name.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
# Names Windows keeps for devices: status/CON.yaml cannot be made there, whatever its extension.
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def parse_recommendations(
    raw: bytes, shown: str = "recommendations.yaml", validated: bool = True
) -> tuple[Dataset, list[Problem]]:
    """Read the bytes of a recommendations file: raises DataError if unreadable, returns every broken
    rule (those across fields only if `validated`: a workspace with other sources checks them once
    all are put together)."""
    root = compose(decode(raw, shown), shown)
    r = Reader(shown)
    top = r.mapping(root, "the file", _TOP)

    review_fields = (
        r.mapping(top["review"], "review", {"title": True, "author": True, "published": True, "source": True, "follow": False})
        if "review" in top
        else {}
    )
    review = Review(
        title=r.text(review_fields, "title") or "",
        author=r.text(review_fields, "author") or "",
        published=r.date(review_fields.get("published"), "published") or date.min,
        source=r.url(review_fields.get("source"), "source") or "",
    )
    window = 90
    if "reporting_window_days" in top:
        window = r.integer(top["reporting_window_days"], "reporting_window_days") or window
        if not 1 <= window <= MAX_WINDOW_DAYS:
            r.problem(top["reporting_window_days"], "reporting_window_days", f"must be from 1 to {MAX_WINDOW_DAYS} days")
            window = 90

    departments: dict[str, Department] = {}
    for node in r.sequence(top.get("departments"), "departments"):
        dept = _department(r, node)
        if dept is None:
            continue
        if dept.code in departments:
            r.problem(node, "code", f"department {dept.code} is defined twice (first on line {departments[dept.code].line})")
            continue
        departments[dept.code] = dept

    rating_owners = "leads"
    if "rating_owners" in top:
        rating_owners = r.choice(top["rating_owners"], "rating_owners", RATING_OWNERS) or rating_owners
    board = _board(r, top["board"], review.published) if "board" in top and not r.is_null(top["board"]) else Board()

    follow = r.boolean(review_fields["follow"], "follow") if "follow" in review_fields else True

    recs = [rec for node in r.sequence(top.get("recommendations"), "recommendations") if (rec := _recommendation(r, node))]
    data = Dataset(
        review, window, Registry(departments), tuple(recs), shown, rating_owners, board, review_follow=follow is not False
    )
    return data, r.problems + (validate(data) if validated else [])


_TOP = {
    "review": True,
    "reporting_window_days": False,
    "rating_owners": False,
    "board": False,
    "departments": True,
    "recommendations": True,
}
_BOARD = {"name": False, "reference": False, "author": False, "classification": False, "meetings": False}
_MEETING = {"date": True, "returns_by": False}


def _blank(r: Reader, node: Node) -> bool:
    """A value given as nothing (`kind:`, `kind: ""`), which the readers pass over without a word."""
    return r.is_null(node) or (isinstance(node, ScalarNode) and not node.value.strip())


def _board(r: Reader, node: Node, published: date) -> Board:
    """The board: block. Its meetings follow the review (a paper on an earlier day has nothing to
    report), and a meeting's returns are due at most a year before it."""
    b = r.mapping(node, "board", _BOARD)

    due: list[tuple[date, date]] = []
    held: list[date] = []  # the meetings read so far, in the order given

    def meeting(n: Node) -> date | None:
        """A meeting: its date, or `{date: D, returns_by: R}` where its returns are due on another day
        than a week before it."""
        if r.is_null(n):
            r.problem(n, "meetings", "an empty entry; give each meeting's date, YYYY-MM-DD")
            return None
        if not isinstance(n, MappingNode):
            day = r.date(n, "meetings")
            if day is not None and day < published:
                r.problem(n, "meetings", f"{day} is before the review was published ({published})")
                return None
            if day is not None:
                held.append(day)
            return day
        m = r.mapping(n, "a meeting", _MEETING)
        day, by = r.date(m.get("date"), "date"), r.date(m.get("returns_by"), "returns_by") if "returns_by" in m else None
        if "returns_by" in m and by is None and _blank(r, m["returns_by"]):
            r.problem(m["returns_by"], "returns_by", "is empty; give the date returns are due, YYYY-MM-DD (or leave it out)")
        if day is not None and day < published:
            r.problem(m["date"], "date", f"{day} is before the review was published ({published})")
            return None
        if day is not None and by is not None:
            if by < day - timedelta(days=366):
                r.problem(m["returns_by"], "returns_by", f"{by} is more than a year before the meeting on {day}")
            elif by > day:
                r.problem(m["returns_by"], "returns_by", f"{by} is after the meeting on {day}: returns are due before it")
            elif held and by <= held[-1]:
                r.problem(m["returns_by"], "returns_by", f"{by} is not after the meeting before, on {held[-1]}")
            else:
                due.append((day, by))
        if day is not None:
            held.append(day)
        return day

    meetings = [day for day in r.each(b.get("meetings"), "meetings", meeting) if day is not None]
    if meetings != sorted(set(meetings)):
        r.problem(b["meetings"], "meetings", "list each meeting once, in date order")
        meetings = sorted(set(meetings))
    texts = (r.text(b, "name"), r.text(b, "reference"), r.text(b, "author"), r.text(b, "classification"))
    if texts[3] is not None and len(texts[3]) > 100:  # as paper's --classification: a marking, not a paragraph
        r.problem(b["classification"], "classification", f"{len(texts[3])} characters; a marking such as OFFICIAL fits in 100")
    return Board(*texts, tuple(meetings), tuple(sorted(set(due))))


_DEPARTMENT = {"code": True, "name": True, "part_of": False, "aliases": False, "history": False}
_EVENT = {"date": True, "event": True, "from": False, "to": False, "into": False, "note": False}


def _department(r: Reader, node: Node) -> Department | None:
    r.recommendation = None
    f = r.mapping(node, "a department", _DEPARTMENT)
    code = r.text(f, "code")
    if code is None:
        return None
    if not _CODE.fullmatch(code):
        r.problem(
            f["code"], "code", f"{excerpt(code)} is not a code: letters, digits, - and _ only (it names status/<CODE>.yaml)"
        )
        return None
    if code.casefold() in _DEVICES:
        r.problem(
            f["code"], "code", f"{code} names a device on Windows, so status/{code}.yaml could not be made there; choose another"
        )
        return None
    what = f"department {code}"
    aliases = tuple(a.strip() for n in r.sequence(f.get("aliases"), f"{what}: aliases") if (a := r.scalar(n, f"{what}: aliases")))

    def event(n: Node) -> HistoryEvent | None:
        e = r.mapping(n, f"{what}: history", _EVENT)
        day = r.date(e.get("date"), "date")
        kind = r.choice(e.get("event"), "event", EVENTS)
        if day is None or kind is None:
            return None
        return HistoryEvent(day, kind, r.text(e, "note"), r.text(e, "from"), r.text(e, "to"), r.text(e, "into"))

    history = tuple(r.each(f.get("history"), f"{what}: history", event))
    return Department(code, r.text(f, "name") or "", r.text(f, "part_of"), aliases, history, line_of(node))


_RECOMMENDATION = {
    "number": True,
    "section": True,
    "section_title": True,
    "title": True,
    "text": True,
    "addressed_to": False,
    "owners": False,
    "deadline": False,
    "links": False,
    "outcomes": False,
    "responses": True,
}
# Another source's item: named by its ref, delivering recommendations, a government response only
# where its source has them (then required: see _recommendation).
_ITEM = {"ref": True, **{k: v for k, v in _RECOMMENDATION.items() if k != "number"}, "delivers": False, "responses": False}
# An item's reference: CP-3, 2.1a, PH/4.
_REF = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9./_-]{0,18}[A-Za-z0-9])?")
_REVIEWS = re.compile(r"[Rr][0-9]+")  # R12 names the review's recommendation 12, in any workspace with sources
_OWNER = {"dept": True, "role": True, "basis": False, "reports_via": False, "note": False}
_DEADLINE = {"words": True, "date": True, "reasoning": False, "kind": False}
_RESPONSE = {"date": True, "document": True, "category": True, "category_source": True, "summary": True, "source": True}


def _recommendation(
    r: Reader, node: Node, source: Source | None = None, named: dict[str, list[tuple[str, int]]] | None = None
) -> Recommendation | None:
    """A recommendation of the review, or (`source` given) an item of another source, named by its
    ref; `named` is given the refs it delivers and links to, with their lines."""
    ref = ""
    if source is None:
        r.recommendation = peek_number(node, "number")
        f = r.mapping(node, "a recommendation", _RECOMMENDATION)
        number = r.integer(f.get("number"), "number")
        if number is None:
            return None
        if not 1 <= number < SOURCE_BASE:
            r.problem(f["number"], "number", f"must be from 1 to {SOURCE_BASE - 1:,}")
            return None
        r.recommendation = number
    else:
        r.recommendation = None
        f = r.mapping(node, f"an item ({source.item})", _ITEM if not source.responses else {**_ITEM, "responses": True})
        ref = (r.text(f, "ref") or "").strip()
        if not ref:
            return None
        if not _REF.fullmatch(ref) or ref.isdigit() or _REVIEWS.fullmatch(ref):
            r.problem(
                f["ref"],
                "ref",
                f"{excerpt(ref)} is not a reference: letters and digits, not digits alone nor R and digits (12 and R12 name"
                " the review's),"
                " and . - / _ inside, at most 20",
            )
            return None
        r.recommendation = f"{source.item} {ref}"
        number = 0  # given when the sources are put together

    def owner(n: Node) -> Owner | None:
        o = r.mapping(n, "an owner", _OWNER)
        dept, role = r.text(o, "dept"), r.choice(o.get("role"), "role", ROLES)
        basis = r.choice(o.get("basis"), "basis", BASES) if "basis" in o else "text"
        if dept is None or role is None or basis is None:
            return None
        return Owner(dept, role, basis, r.text(o, "note"), line_of(n), r.text(o, "reports_via"))

    def response(n: Node) -> Response | None:
        p = r.mapping(n, "a response", _RESPONSE)
        values = (
            r.date(p.get("date"), "date"),
            r.text(p, "document"),
            r.choice(p.get("category"), "category", CATEGORIES),
            r.choice(p.get("category_source"), "category_source", CATEGORY_SOURCES),
            r.text(p, "summary"),
            r.url(p.get("source"), "source"),
        )
        if any(v is None for v in values):
            return None
        return Response(*values)  # type: ignore[arg-type]

    deadline = None
    if "deadline" in f and not r.is_null(f["deadline"]):
        d = r.mapping(f["deadline"], "deadline", _DEADLINE)
        words, day = r.text(d, "words"), r.date(d.get("date"), "date")
        kind = r.choice(d.get("kind"), "kind", DEADLINE_KINDS) if "kind" in d else "deadline"
        if "kind" in d and kind is None and _blank(r, d["kind"]):
            r.problem(d["kind"], "kind", f"is empty; give one of: {', '.join(DEADLINE_KINDS)} (or leave it out: a deadline)")
        if words is not None and day is not None and kind is not None:
            deadline = Deadline(words, day, r.text(d, "reasoning"), kind)

    owners = tuple(r.each(f.get("owners"), "owners", owner))
    if source is None:
        links = tuple(r.each(f.get("links"), "links", lambda n: r.integer(n, "links")))
        responses = tuple(r.each(f.get("responses"), "responses", response, required=True))
    else:  # links name items by ref, and are made numbers when the sources are put together
        links = ()
        responses = tuple(r.each(f.get("responses"), "responses", response, required=source.responses))
    outcomes = tuple(r.each(f.get("outcomes"), "outcomes", lambda n: _name(r, n, "outcomes")))
    if named is not None:  # an item of a source: the items it names, by ref, to be found once all are read
        for key in ("delivers", "links"):
            named[key] = [(text, r.line(n)) for n in r.sequence(f.get(key), key) if (text := _name(r, n, key))]
    return Recommendation(
        number=number,
        section=r.text(f, "section") or "",
        section_title=r.text(f, "section_title") or "",
        title=r.text(f, "title") or "",
        text=r.text(f, "text") or "",
        owners=owners,
        deadline=deadline,
        links=links,
        responses=responses,
        addressed_to=r.text(f, "addressed_to"),
        line=line_of(node),
        source=source.key if source is not None else "review",
        ref=ref,
        outcomes=outcomes,
    )


def _name(r: Reader, node: Node, what: str) -> str | None:
    """One entry of a list of names (refs, codes): a number or a word, as text."""
    text = r.scalar(node, what)
    if text is not None and not text.strip():
        r.problem(node, what, "an empty entry")
        return None
    return None if text is None else text.strip()


# -- a source: sources/KEY.yaml ------------------------------------------------------------------

_SOURCE_FILE = {"source": True, "bodies": False, "items": True}
_SOURCE = {
    "title": True,
    "author": True,
    "published": True,
    "link": False,
    "kind": False,
    "item": False,
    "items": False,
    "responses": False,
    "follow": False,
}
_WORD = re.compile(r"[a-z][a-z -]{0,29}")


def parse_source(raw: bytes, shown: str, key: str) -> tuple[ParsedSource | None, list[Problem]]:
    """Read a source file (sources/KEY.yaml): its source block, the bodies it adds to the registry,
    and its items with the refs they name; raises DataError if unreadable."""
    root = compose(decode(raw, shown), shown)
    r = Reader(shown)
    top = r.mapping(root, "the file", _SOURCE_FILE)
    f = r.mapping(top["source"], "source", _SOURCE)
    published = r.date(f.get("published"), "published")
    kind = r.choice(f["kind"], "kind", SOURCE_KINDS) if "kind" in f else "plan"
    item = _word(r, f, "item") or "recommendation"
    items = _word(r, f, "items") or (item + "s")
    responses = r.boolean(f["responses"], "responses") if "responses" in f else False
    follow = r.boolean(f["follow"], "follow") if "follow" in f else True
    source = Source(
        key,
        r.text(f, "title") or "",
        r.text(f, "author") or "",
        published or date.min,
        r.url(f["link"], "link") if "link" in f else None,
        kind or "plan",
        item,
        items,
        bool(responses),
        follow is not False,
        shown,
    )
    bodies = []
    for node in r.sequence(top.get("bodies"), "bodies"):
        body = _department(r, node)
        if body is not None:
            bodies.append(body._replace(file=shown))
    parsed = ParsedSource(source, tuple(bodies), [])
    for node in r.sequence(top.get("items"), "items"):
        named: dict[str, list[tuple[str, int]]] = {}
        rec = _recommendation(r, node, source, named)
        if rec is not None:
            parsed.items.append((rec, named))
    return (parsed if published is not None else None), r.problems


def _word(r: Reader, f: dict[str, Node], key: str) -> str | None:
    text = r.text(f, key)
    if text is not None and not _WORD.fullmatch(text):
        r.problem(f[key], key, f"{excerpt(text)} is not a word for an item: lower-case letters, at most 30 (action, commitment)")
        return None
    return text
