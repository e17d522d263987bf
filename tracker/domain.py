"""The domain: recommendations, owners, departments and the rules about them. No I/O."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from enum import Enum

ROLES = ("lead", "support")
BASES = ("text", "board")
CATEGORIES = (
    "accepted",
    "accepted-different-mechanism",
    "accepted-in-principle",
    "partially-accepted",
    "noted",
    "not-accepted",
    "not-addressed",
)
CATEGORY_SOURCES = ("official", "board")
EVENTS = ("created", "renamed", "merged", "split", "closed", "absorbed", "announced")
# Events after which a body no longer exists and its work is tracked under `into`.
ENDING_EVENTS = ("merged", "split", "closed")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def parse_iso_date(text: str) -> date | None:
    """A date written YYYY-MM-DD that exists on the calendar, else None."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_url(text: str) -> bool:
    return _URL.fullmatch(text.strip()) is not None


class Rag(str, Enum):
    """A department's rating of its progress. COMPLETE is BRAG's blue."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"


def plain(record: object) -> dict[str, object]:
    """A flat record's fields as plain values, dates as ISO text: for tables and JSON."""
    out = {}
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        out[f.name] = value.isoformat() if isinstance(value, date) else value
    return out


@dataclass(frozen=True)
class Problem:
    """One broken rule, located in a file."""

    file: str
    line: int | None
    message: str
    recommendation: int | None = None
    field: str | None = None

    def detail(self) -> str:
        """The problem without its file and line: `recommendation 5: owners: has no owner`."""
        parts = [f"recommendation {self.recommendation}"] if self.recommendation is not None else []
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.detail()}"


@dataclass(frozen=True)
class HistoryEvent:
    date: date
    event: str
    note: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    into: str | None = None


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    part_of: str | None = None
    aliases: tuple[str, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    line: int | None = None

    def name_on(self, day: date) -> str:
        """The body's name on `day`, following its renames."""
        renames = [e for e in self.history if e.event == "renamed" and e.to_name]
        name = renames[0].from_name if renames and renames[0].from_name else self.name
        for event in renames:
            if event.date <= day:
                name = event.to_name or name
        return name

    def ended(self, day: date) -> HistoryEvent | None:
        """The merger, split or closure that ended this body by `day`, if any."""
        ends = [e for e in self.history if e.event in ENDING_EVENTS and e.date <= day]
        return ends[-1] if ends else None


@dataclass(frozen=True)
class Registry:
    """Every body named in the recommendations, looked up by code, alias or name."""

    departments: dict[str, Department]

    def get(self, code: str) -> Department | None:
        return self.departments.get(code)

    def resolve(self, text: str) -> Department | None:
        """Find a body by its code, a former name or an alias, ignoring case."""
        wanted = " ".join(text.split()).casefold()
        for dept in self.departments.values():
            names = {dept.code, dept.name, *dept.aliases}
            names.update(e.from_name or "" for e in dept.history)
            names.update(e.to_name or "" for e in dept.history)
            if wanted in {n.casefold() for n in names if n}:
                return dept
        return None

    def current(self, code: str, day: date) -> Department:
        """The body that carries `code`'s work on `day`, following mergers and splits."""
        dept = self.departments[code]
        seen = {code}
        while (end := dept.ended(day)) is not None and end.into and end.into not in seen:
            seen.add(end.into)
            dept = self.departments[end.into]
        return dept


@dataclass(frozen=True)
class Owner:
    dept: str
    role: str
    basis: str = "text"
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Deadline:
    words: str
    date: date
    reasoning: str | None = None


@dataclass(frozen=True)
class Response:
    date: date
    document: str
    category: str
    category_source: str
    summary: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    number: int
    section: str
    section_title: str
    title: str
    text: str
    owners: tuple[Owner, ...] = ()
    deadline: Deadline | None = None
    links: tuple[int, ...] = ()
    responses: tuple[Response, ...] = ()
    addressed_to: str | None = None
    line: int | None = None

    @property
    def leads(self) -> tuple[Owner, ...]:
        return tuple(o for o in self.owners if o.role == "lead")


@dataclass(frozen=True)
class Review:
    title: str
    author: str
    published: date
    source: str


@dataclass(frozen=True)
class Dataset:
    """Everything recommendations.yaml says."""

    review: Review
    reporting_window_days: int
    registry: Registry
    recommendations: tuple[Recommendation, ...]
    file: str = "recommendations.yaml"
    department_lines: dict[str, int] = field(default_factory=dict)


def validate(data: Dataset) -> list[Problem]:
    """The rules that span fields: owners, leads, the registry, numbering and links."""
    problems: list[Problem] = []

    def problem(line: int | None, message: str, rec: int | None = None, fld: str | None = None) -> None:
        problems.append(Problem(data.file, line, message, rec, fld))

    registry = data.registry.departments
    taken: dict[str, str] = {}
    for dept in registry.values():
        for name in (dept.code, dept.name, *dept.aliases):
            key = name.casefold()
            other = taken.setdefault(key, dept.code)
            if other != dept.code:
                problem(dept.line, f"{name!r} also names department {other}", fld=f"department {dept.code}")
        if dept.part_of is not None and dept.part_of not in registry:
            problem(dept.line, f"part_of {dept.part_of!r} is not in the department registry", fld=f"department {dept.code}")
        dates = [e.date for e in dept.history]
        if dates != sorted(dates):
            problem(dept.line, "history is not in date order", fld=f"department {dept.code}")
        for event in dept.history:
            if event.into is not None and event.into not in registry:
                problem(
                    dept.line, f"history: into {event.into!r} is not in the department registry", fld=f"department {dept.code}"
                )
            if event.event in ("merged", "split") and event.into is None:
                problem(dept.line, f"history: a {event.event} event needs `into`", fld=f"department {dept.code}")
            if event.event == "renamed" and not (event.from_name and event.to_name):
                problem(dept.line, "history: a renamed event needs `from` and `to`", fld=f"department {dept.code}")

    numbers = Counter(r.number for r in data.recommendations)
    known = set(numbers)
    for rec in data.recommendations:
        n = rec.number
        if numbers[n] > 1:
            problem(rec.line, f"number {n} is used by {numbers[n]} recommendations", n, "number")
        if not rec.owners:
            problem(rec.line, "has no owner", n, "owners")
        elif not rec.leads:
            problem(rec.line, "has no lead owner (role: lead)", n, "owners")
        seen: set[str] = set()
        for owner in rec.owners:
            if owner.dept not in registry:
                hint = data.registry.resolve(owner.dept)
                also = f"; did you mean {hint.code}?" if hint else ""
                problem(owner.line, f"{owner.dept!r} is not in the department registry{also}", n, "owners")
            if owner.dept in seen:
                problem(owner.line, f"{owner.dept} is listed as an owner twice", n, "owners")
            seen.add(owner.dept)
        for link in rec.links:
            if link == n:
                problem(rec.line, f"links to itself ({link})", n, "links")
            elif link not in known:
                problem(rec.line, f"links to recommendation {link}, which does not exist", n, "links")
        if rec.deadline and rec.deadline.date < data.review.published:
            problem(rec.line, f"deadline {rec.deadline.date} is before the review was published", n, "deadline")
    return problems


@dataclass(frozen=True)
class Succession:
    """Who carries a body's work today, and what happened to it since a given day."""

    named_as: str
    name_then: str
    current: Department
    changes: tuple[str, ...]


def succession(registry: Registry, code: str, then: date, today: date) -> Succession:
    """Trace the body named `code` on `then` to the body that carries its work on `today`."""
    dept = registry.departments[code]
    changes: list[str] = []
    chain = [dept]
    while (end := chain[-1].ended(today)) is not None and end.into and end.into not in {d.code for d in chain}:
        chain.append(registry.departments[end.into])
    for body in chain:
        for e in body.history:
            if not then < e.date <= today or e.event in ("created", "absorbed"):
                continue
            if e.event == "renamed":
                changes.append(f"{e.date}: renamed {e.to_name}")
            elif e.event in ("merged", "split") and e.into:
                verb = "merged into" if e.event == "merged" else "broken up; this work passed to"
                changes.append(f"{e.date}: {body.name} {verb} {registry.departments[e.into].name}")
            elif e.event == "closed":
                changes.append(f"{e.date}: {body.name} closed")
            elif e.note:
                changes.append(f"{e.date}: {e.note}")
    return Succession(code, dept.name_on(then), chain[-1], tuple(changes))


def owned_by(rec: Recommendation, registry: Registry, dept: Department, today: date) -> bool:
    """Whether `dept` owns `rec`, directly or as the body that carries a former owner's work."""
    return any(
        o.dept == dept.code or registry.current(o.dept, today).code == dept.code
        for o in rec.owners
        if o.dept in registry.departments
    )


def section_matches(rec: Recommendation, section: str) -> bool:
    """`--section 3` matches 3.1 to 3.12; `--section 3.1` matches only 3.1."""
    return rec.section == section or rec.section.startswith(section.rstrip(".") + ".")
