"""A recommendation's standing on a date: its rating, each owner's, the target date, overdue, trend."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .rating import Rating, worst
from .recommendations import Dataset, Owner, Recommendation, section_matches
from .returns import Return, history, newest_first


@dataclass(frozen=True)
class OwnerStanding:
    """One owner of a recommendation on the date."""

    dept: str  # today's code
    name: str  # today's name
    named_as: str  # the code the recommendation was made to
    role: str
    rag: Rating  # its latest return's rating, or NO_RETURN
    latest: Return | None  # the latest return on or before the date, even if too old to count
    previous: Return | None
    stale: bool  # no return within the reporting window: rated NO_RETURN
    trend: str | None  # from its previous return to its latest

    @property
    def worse(self) -> bool:
        """Its latest return, made within the window, rates it worse than the one before."""
        return self.trend == "worse" and not self.stale


@dataclass(frozen=True)
class Standing:
    """Where one recommendation stands on a date."""

    rec: Recommendation
    rag: Rating
    owners: tuple[OwnerStanding, ...]
    deadline: date | None  # the review's baseline, never overwritten
    target_date: date | None  # the baseline, or the latest revision
    revision: Return | None  # the return that last revised the target date
    overdue: bool

    @property
    def worse(self) -> bool:
        """An owner has reported a worse rating than before."""
        return any(o.worse for o in self.owners)

    @property
    def stale(self) -> bool:
        """An owner has made no return in the window (what `--stale` selects)."""
        return any(o.stale for o in self.owners)


def filing_codes(data: Dataset, owner: Owner, as_of: date) -> list[str]:
    """The codes an owner's returns may be filed under on `as_of`: the body named, then each successor."""
    return [d.code for d in data.registry.chain(owner.dept, as_of)] or [owner.dept]


def owner_standing(data: Dataset, owner: Owner, returns: Iterable[Return], as_of: date) -> OwnerStanding:
    """`returns`: the owner's returns dated on or before `as_of` (at least its latest two), in any order."""
    current = data.registry.current(owner.dept, as_of)
    entries = history(returns)
    latest = entries[0].ret if entries else None
    previous = entries[1].ret if len(entries) > 1 else None
    window = timedelta(days=data.reporting_window_days)
    # Complete is final: a closed recommendation is not asked for further returns.
    stale = latest is None or (latest.rag is not Rating.COMPLETE and latest.date < as_of - window)
    return OwnerStanding(
        dept=current.code,
        name=current.name,
        named_as=owner.dept,
        role=owner.role,
        rag=Rating.NO_RETURN if stale or latest is None else latest.rag,
        latest=latest,
        previous=previous,
        stale=stale,
        trend=entries[0].trend if entries else None,
    )


def standing(rec: Recommendation, owners: Sequence[OwnerStanding], revisions: Iterable[Return], as_of: date) -> Standing:
    """`revisions`: the returns on or before `as_of` that revised the target date (at least the latest)."""
    rag = worst(o.rag for o in owners)
    revision = next(iter(newest_first(revisions)), None)
    deadline = rec.deadline.date if rec.deadline else None
    target = revision.target_date if revision is not None else deadline
    overdue = target is not None and target < as_of and rag is not Rating.COMPLETE
    return Standing(rec, rag, tuple(owners), deadline, target, revision, overdue)


def standings(
    data: Dataset,
    as_of: date,
    latest: Callable[[int, Sequence[str]], Iterable[Return]],
    revisions: Callable[[int], Iterable[Return]],
) -> list[Standing]:
    """Where every recommendation stood on `as_of`.

    `latest(number, codes)` gives the returns on recommendation `number` filed under any of
    `codes` on or before `as_of` (at least the latest two); `revisions(number)` those that revised
    its target date (at least the latest). The database answers both; the rules are here.
    """
    out = []
    for rec in data.recommendations:
        owners = [owner_standing(data, o, latest(rec.number, filing_codes(data, o, as_of)), as_of) for o in rec.owners]
        out.append(standing(rec, owners, revisions(rec.number), as_of))
    return out


def summary(standings: Iterable[Standing]) -> dict[Rating, int]:
    """How many recommendations have each rating, every rating listed."""
    counts = dict.fromkeys(Rating, 0)
    for s in standings:
        counts[s.rag] += 1
    return counts


@dataclass(frozen=True)
class Filters:
    dept: str | None = None  # the code on the report date, already resolved from any name
    section: str | None = None
    rag: Rating | None = None
    overdue: bool = False
    stale: bool = False

    def keep(self, s: Standing) -> bool:
        if self.dept is not None and not any(o.dept == self.dept for o in s.owners):
            return False
        if self.section is not None and not section_matches(s.rec, self.section):
            return False
        if self.rag is not None and s.rag is not self.rag:
            return False
        if self.overdue and not s.overdue:
            return False
        return not (self.stale and not s.stale)
