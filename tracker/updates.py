"""Departments' status returns and the rules about them. No I/O."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .domain import Dataset, Problem, Rag, Recommendation, Registry
from .errors import DataError, NotFound

# Worst first: the order a board reads them in.
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)
_RAG_WORDS = {r.value: r for r in Rag} | {"r": Rag.RED, "a": Rag.AMBER, "g": Rag.GREEN, "b": Rag.COMPLETE, "c": Rag.COMPLETE}
_RAG_WORDS |= {"blue": Rag.COMPLETE}
RAG_CHOICES = "red (R), amber (A), green (G), complete (C or B for blue)"


def parse_rag(text: str) -> Rag | None:
    """A RAG rating from its word or letter, any case: `Amber`, `a`, `B` (blue) for complete."""
    return _RAG_WORDS.get(text.strip().casefold())


@dataclass(frozen=True)
class StatusUpdate:
    """One department's return on one recommendation."""

    recommendation: int
    dept: str
    date: datetime.date
    rag: Rag
    summary: str
    author: str
    evidence: tuple[str, ...] = ()
    target_date: datetime.date | None = None
    reason: str | None = None
    file: str = ""
    line: int | None = None

    def key(self) -> tuple[object, ...]:
        """What makes two returns the same return, wherever and by whomever they were written down."""
        return (self.recommendation, self.dept, self.date, self.rag, self.summary, self.evidence, self.target_date, self.reason)


def filing_codes(rec: Recommendation, registry: Registry, day: date) -> list[str]:
    """The departments that may file a return on `rec` dated `day`: its owners as they were then."""
    codes: list[str] = []
    for owner in rec.owners:
        if owner.dept in registry.departments:
            code = registry.current(owner.dept, day).code
            if code not in codes:
                codes.append(code)
    return codes


def filer(data: Dataset, rec: Recommendation, text: str, day: date) -> str:
    """The registry code a return from `text` on `rec` dated `day` is filed under.

    `text` may be a code, a name or a former name; a body merged or split before `day` files
    under the body that carries its work. Raises NotFound or DataError with the owners named.
    """
    owners = filing_codes(rec, data.registry, day)
    found = data.registry.resolve(text)
    if found is None:
        raise NotFound(f"unknown department {text!r}; recommendation {rec.number} is owned by {', '.join(owners)}")
    code = data.registry.current(found.code, day).code
    if code not in owners:
        raise DataError(f"{code} does not own recommendation {rec.number}; its owners on {day} are {', '.join(owners)}")
    return code


def check_update(update: StatusUpdate, data: Dataset, today: date | None = None) -> list[Problem]:
    """The rules one return must keep, whatever file it is in. `today` also rules out future dates."""
    problems: list[Problem] = []

    def problem(field: str, message: str) -> None:
        problems.append(Problem(update.file, update.line, message, update.recommendation, field))

    rec = next((r for r in data.recommendations if r.number == update.recommendation), None)
    if rec is None:
        problem("recommendation", f"there is no recommendation {update.recommendation}")
    if update.dept not in data.registry.departments:
        problem("dept", f"{update.dept!r} is not in the department registry")
    elif rec is not None and update.dept not in (owners := filing_codes(rec, data.registry, update.date)):
        problem("dept", f"{update.dept} does not own recommendation {rec.number} (owners on {update.date}: {', '.join(owners)})")
    if today is not None and update.date > today:
        problem("date", f"{update.date} is in the future")
    if update.target_date is not None and not update.reason:
        problem("reason", "a revised target date needs a reason")
    if update.reason and update.target_date is None:
        problem("target_date", "a reason is given but no revised target date")
    return problems


def check_file(updates: Sequence[StatusUpdate], file_code: str, data: Dataset, today: date | None = None) -> list[Problem]:
    """Every rule for the returns in one department's file, status/<file_code>.yaml."""
    problems: list[Problem] = []
    if file_code not in data.registry.departments:
        where = updates[0].file if updates else f"status/{file_code}.yaml"
        problems.append(Problem(where, None, f"{file_code} is not a department code in the registry; name the file after one"))
    seen: dict[tuple[object, ...], StatusUpdate] = {}
    for update in updates:
        problems.extend(check_update(update, data, today))
        if update.dept != file_code and file_code in data.registry.departments:
            message = f"a return from {update.dept} is in {file_code}'s file; move it to status/{update.dept}.yaml"
            problems.append(Problem(update.file, update.line, message, update.recommendation, "dept"))
        first = seen.setdefault(update.key(), update)
        if first is not update:
            message = f"the same return is recorded twice (first on line {first.line})"
            problems.append(Problem(update.file, update.line, message, update.recommendation))
    return problems


@dataclass(frozen=True)
class Entry:
    """A return in an owner's history, with the rating it replaced."""

    update: StatusUpdate
    previous: Rag | None
    trend: str | None  # better, worse, same; None for a first return


def trend(previous: Rag | None, latest: Rag) -> str | None:
    if previous is None:
        return None
    before, after = RAG_ORDER.index(previous), RAG_ORDER.index(latest)
    return "better" if after > before else "worse" if after < before else "same"


def history(updates: Iterable[StatusUpdate]) -> list[Entry]:
    """One owner's returns newest first, each with its change from the one before.

    `updates` come in the order they were recorded; of two on the same date the later one is newer.
    """
    ordered = sorted(enumerate(updates), key=lambda pair: (pair[1].date, pair[0]))
    entries: list[Entry] = []
    previous: Rag | None = None
    for _, update in ordered:
        entries.append(Entry(update, previous, trend(previous, update.rag)))
        previous = update.rag
    return entries[::-1]


def returns_by_owner(
    rec: Recommendation, registry: Registry, updates: Iterable[StatusUpdate], today: date
) -> list[tuple[str, list[Entry]]]:
    """Each owner of `rec`, by today's code, with its history of returns newest first.

    Returns filed under a body that has since merged count as its successor's.
    """
    groups: dict[str, list[StatusUpdate]] = {}
    for owner in rec.owners:
        if owner.dept in registry.departments:
            groups.setdefault(registry.current(owner.dept, today).code, [])
    for update in updates:
        if update.recommendation == rec.number:
            code = registry.current(update.dept, today).code if update.dept in registry.departments else update.dept
            groups.setdefault(code, []).append(update)
    return [(code, history(group)) for code, group in groups.items()]
