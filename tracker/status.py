"""Where each recommendation stands on a date: overall RAG, no return, overdue, trend. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .domain import Dataset, Owner, Recommendation, section_matches
from .updates import StatusUpdate, trend

NO_RETURN = "no_return"
# Worst first: a recommendation is as bad as its worst owner, and silence is worse than amber.
ORDER = ("red", NO_RETURN, "amber", "green", "complete")
WORDS = {"red": "RED", NO_RETURN: "NO RETURN", "amber": "AMBER", "green": "GREEN", "complete": "COMPLETE"}


def worst(ratings: Iterable[str]) -> str:
    return min(ratings, key=ORDER.index, default=NO_RETURN)


@dataclass(frozen=True)
class OwnerStatus:
    """One owner of a recommendation on the report date."""

    dept: str  # today's code
    name: str  # today's name
    named_as: str  # the code the recommendation was made to
    role: str
    rag: str  # a Rag value, or no_return
    latest: StatusUpdate | None  # the latest return on or before the date, even if too old to count
    previous: StatusUpdate | None
    stale: bool  # no return within the reporting window
    trend: str | None


@dataclass(frozen=True)
class RecommendationStatus:
    rec: Recommendation
    rag: str
    owners: tuple[OwnerStatus, ...]
    deadline: date | None  # the review's baseline, never overwritten
    target_date: date | None  # the baseline, or the latest revision
    revision: StatusUpdate | None  # the return that last revised the target date
    overdue: bool

    @property
    def worse(self) -> bool:
        return any(o.trend == "worse" and not o.stale for o in self.owners)

    @property
    def no_return(self) -> bool:
        return any(o.rag == NO_RETURN for o in self.owners)


def filing_chain(data: Dataset, owner: Owner, as_of: date) -> list[str]:
    """The codes an owner's returns may be filed under: the body named, then each successor."""
    chain = [owner.dept]
    dept = data.registry.departments.get(owner.dept)
    while dept is not None and (end := dept.ended(as_of)) is not None and end.into and end.into not in chain:
        chain.append(end.into)
        dept = data.registry.departments.get(end.into)
    return chain


def owner_status(data: Dataset, owner: Owner, latest_two: Sequence[StatusUpdate], as_of: date, window_days: int) -> OwnerStatus:
    """`latest_two`: the owner's two latest returns on or before `as_of`, newest first."""
    current = data.registry.current(owner.dept, as_of)
    latest = latest_two[0] if latest_two else None
    previous = latest_two[1] if len(latest_two) > 1 else None
    # Complete is final: a closed recommendation is not asked for further returns.
    stale = latest is None or (latest.rag.value != "complete" and latest.date < as_of - timedelta(days=window_days))
    return OwnerStatus(
        dept=current.code,
        name=current.name,
        named_as=owner.dept,
        role=owner.role,
        rag=NO_RETURN if stale or latest is None else latest.rag.value,
        latest=latest,
        previous=previous,
        stale=stale,
        trend=trend(previous.rag, latest.rag) if latest and previous else None,
    )


def recommendation_status(
    rec: Recommendation, owners: Sequence[OwnerStatus], revision: StatusUpdate | None, as_of: date
) -> RecommendationStatus:
    rag = worst(o.rag for o in owners)
    deadline = rec.deadline.date if rec.deadline else None
    target = revision.target_date if revision is not None else deadline
    overdue = target is not None and target < as_of and rag != "complete"
    return RecommendationStatus(rec, rag, tuple(owners), deadline, target, revision, overdue)


def summary(statuses: Iterable[RecommendationStatus]) -> dict[str, int]:
    counts = {"red": 0, "amber": 0, "green": 0, "complete": 0, NO_RETURN: 0}
    for s in statuses:
        counts[s.rag] += 1
    return counts


@dataclass(frozen=True)
class Filters:
    dept: str | None = None  # the code on the report date, already resolved from any name
    section: str | None = None
    rag: str | None = None
    overdue: bool = False
    stale: bool = False

    def keep(self, s: RecommendationStatus) -> bool:
        if self.dept is not None and not any(o.dept == self.dept for o in s.owners):
            return False
        if self.section is not None and not section_matches(s.rec, self.section):
            return False
        if self.rag is not None and s.rag != self.rag:
            return False
        if self.overdue and not s.overdue:
            return False
        return not (self.stale and not s.no_return)
