"""A recommendation's standing on a date: its rating, each owner's, the target date, overdue, trend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from .rating import Rating, trend, worst
from .recommendations import Dataset, Owner, Recommendation, section_matches
from .returns import Entry, newest_first


class OwnerStanding(NamedTuple):
    """One owner of a recommendation on the date. (A named tuple: a trend makes thousands, at once.)"""

    dept: str  # today's code
    name: str  # today's name
    named_as: str  # the code the recommendation was made to
    role: str
    rag: Rating  # its latest return's rating, or NO_RETURN
    latest: Entry | None  # the latest return on or before the date, even if too old to count
    previous: Entry | None
    stale: bool  # no return within the reporting window: rated NO_RETURN
    trend: str | None  # from its previous return to its latest
    via: str | None = None  # today's code of the department that reports for it, if one does

    @property
    def worse(self) -> bool:
        """Its latest return, made within the window, rates it worse than the one before."""
        return self.trend == "worse" and not self.stale

    @property
    def last_rag(self) -> Rating | None:
        """Its latest return's rating, however old."""
        return self.latest.rag if self.latest is not None else None

    @property
    def shown(self) -> str:
        """`LA (via OHID)`, or just the code."""
        return f"{self.dept} (via {self.via})" if self.via else self.dept

    @property
    def rating_text(self) -> str:
        """`AMBER`, or `NO RETURN (last AMBER, 2024-06-01)` for an owner whose last return is too old."""
        if self.rag is Rating.NO_RETURN and self.latest is not None:
            return f"{self.rag.word} (last {self.latest.rag.word}, {self.latest.date})"
        return self.rag.word


class Standing(NamedTuple):
    """Where one recommendation stands on a date."""

    rec: Recommendation
    rag: Rating  # the headline: the board's assessment if it is as new as the leads' returns, else departments_rag
    owners: tuple[OwnerStanding, ...]
    deadline: date | None  # the review's baseline, never overwritten
    target_date: date | None  # the baseline, or the latest revision
    revision: Entry | None  # the return that last revised the target date
    overdue: bool
    departments_rag: Rating = Rating.NO_RETURN  # the worst known rating of the rating owners (leads, by default)
    assessment: Entry | None = None  # the board's latest assessment on or before the date
    by_board: bool = False  # the headline is the assessment: it is dated on or after every lead's latest return
    awaiting: tuple[str, ...] = ()  # the rating owners with no return in the window: today's codes

    @property
    def awaited(self) -> tuple[OwnerStanding, ...]:
        """The owners in `awaiting`, each as itself."""
        return tuple(o for o in self.owners if o.stale and o.dept in self.awaiting)

    @property
    def departments_text(self) -> str:
        """`AMBER`, or `AMBER, awaiting DHSC` when a lead owes its return."""
        return self.departments_rag.word + (f", awaiting {', '.join(o.shown for o in self.awaited)}" if self.awaiting else "")

    @property
    def worse(self) -> bool:
        """An owner has reported a worse rating than before."""
        return any(o.worse for o in self.owners)

    @property
    def red_supports(self) -> tuple[OwnerStanding, ...]:
        """Supporting owners rated RED or got worse: exceptions of their own."""
        return tuple(o for o in self.owners if o.role != "lead" and (o.rag is Rating.RED or o.worse))

    @property
    def stale(self) -> bool:
        """An owner has made no return in the window (what `--stale` selects)."""
        return any(o.stale for o in self.owners)


def filing_codes(data: Dataset, owner: Owner, as_of: date) -> list[str]:
    """The codes an owner's returns may be filed under on `as_of`: the body named, then each successor."""
    return [d.code for d in data.registry.chain(owner.dept, as_of)] or [owner.dept]


def owner_standing(data: Dataset, owner: Owner, returns: Iterable[Entry], as_of: date) -> OwnerStanding:
    """`returns`: the owner's returns dated on or before `as_of` (at least its latest two), in any order
    (those made for it by the department it reports via are filed under its own code)."""
    current = data.registry.current(owner.dept, as_of)
    via = data.registry.current(owner.reports_via, as_of).code if owner.reports_via else None
    ordered = newest_first(returns)  # the latest two are all the rules read (returns.history, for two)
    if not ordered:  # no return yet: a trend's standings at many dates make a great many of these
        return OwnerStanding(current.code, current.name, owner.dept, owner.role, Rating.NO_RETURN, None, None, True, None, via)
    latest = ordered[0]
    previous = ordered[1] if len(ordered) > 1 else None
    # Complete is final: a closed recommendation is not asked for further returns.
    window = timedelta(days=data.reporting_window_days)
    stale = latest.rag is not Rating.COMPLETE and latest.date < as_of - window
    return OwnerStanding(
        dept=current.code,
        name=current.name,
        named_as=owner.dept,
        role=owner.role,
        rag=Rating.NO_RETURN if stale else latest.rag,
        latest=latest,
        previous=previous,
        stale=stale,
        trend=trend(previous.rag, latest.rag) if previous is not None else None,
        via=via,
    )


def standing(
    rec: Recommendation,
    owners: Sequence[OwnerStanding],
    revisions: Iterable[Entry],
    as_of: date,
    assessments: Iterable[Entry] = (),
    rating_owners: str = "leads",
) -> Standing:
    """`revisions`: the returns on or before `as_of` that revised the target date (at least the
    latest); `assessments`: the board's on or before `as_of` (at least the latest)."""
    rating = [o for o in owners if rating_owners == "all" or o.role == "lead"] or list(owners)
    # The worst known rating: a lead that has reported counts with its latest rating, however old (it
    # is marked stale); one that owes a return is awaited, and blanks nothing (being late is a
    # compliance fact, not a delivery rating). No return only when no lead has ever reported.
    # Complete only when every lead has said so: a lead that has finished its part leaves the
    # rating to the others, and with none of them heard from, there is no return.
    known = [o.latest.rag for o in rating if o.latest is not None]
    unfinished = [r for r in known if r is not Rating.COMPLETE]
    done = len(known) == len(rating) and not unfinished
    departments = Rating.COMPLETE if done else worst(unfinished)
    awaiting = tuple(o.dept for o in rating if o.stale)
    assessment = next(iter(newest_first(assessments)), None)
    # The board's assessment counts when it is as new as the returns the departmental rating rests on.
    rated = [o.latest.date for o in rating if o.latest is not None]
    by_board = assessment is not None and (not rated or assessment.known >= max(rated))
    rag = assessment.rag if by_board and assessment is not None else departments
    revision = next(iter(newest_first(revisions)), None)
    deadline = rec.deadline.date if rec.deadline else None
    target = revision.target_date if revision is not None else deadline
    # Only a deadline can be missed: not the start or the earliest date the review's words give (a
    # lead's revised target date is a deadline).
    due = revision is not None or (rec.deadline is not None and rec.deadline.is_deadline)
    overdue = due and target is not None and target < as_of and rag is not Rating.COMPLETE
    return Standing(rec, rag, tuple(owners), deadline, target, revision, overdue, departments, assessment, by_board, awaiting)


class Latest(NamedTuple):
    """What the rules need of the record on one date: the entries in force dated on or before it,
    narrowed (by the database) to the few that the rules read.

    `returns[(number, code)]`: the returns on recommendation `number` filed under `code` (at least
    the latest two); `revisions[number]`: those that revised its target date (at least the latest);
    `assessments[number]`: the board's (at least the latest). Which one is the latest is this
    module's rule (returns.newest_first), on whatever it is given.
    """

    returns: Mapping[tuple[int, str], Sequence[Entry]]
    revisions: Mapping[int, Sequence[Entry]]
    assessments: Mapping[int, Sequence[Entry]]


def filed_under(data: Dataset, dates: Iterable[date]) -> list[tuple[int, str]]:
    """Each recommendation with each code its owners' returns may be filed under on any of `dates`:
    what Latest.returns must answer for."""
    return sorted(
        {(r.number, code) for day in dates for r in data.recommendations for o in r.owners for code in filing_codes(data, o, day)}
    )


def standings(data: Dataset, as_of: date, latest: Latest) -> list[Standing]:
    """Where every recommendation stood on `as_of`, from the latest entries on that date."""
    out = []
    for rec in data.recommendations:
        owners = []
        for o in rec.owners:
            returns = [r for code in filing_codes(data, o, as_of) for r in latest.returns.get((rec.number, code), ())]
            owners.append(owner_standing(data, o, returns, as_of))
        revisions, assessments = latest.revisions.get(rec.number, ()), latest.assessments.get(rec.number, ())
        out.append(standing(rec, owners, revisions, as_of, assessments, data.rating_owners))
    return out


def owed(
    standings: Iterable[Standing], due: date | None = None, window: int = 0
) -> dict[str, list[tuple[Standing, OwnerStanding]]]:
    """Who owes returns: every owner, lead or support, with none in the window, under the code of
    the department that makes its returns (today's body, or the one it reports via). Nobody owes
    one on a recommendation whose headline is complete (the board has closed it).

    With `due` (a meeting's returns deadline), the window of `window` days ends on it: an owner
    whose latest return is older than that owes one, and one made since the deadline, late,
    counts all the same. Without it, the window is the standings' own (OwnerStanding.stale)."""
    since = due - timedelta(days=window) if due is not None else None
    out: dict[str, list[tuple[Standing, OwnerStanding]]] = {}
    for s in standings:
        if s.rag is Rating.COMPLETE:
            continue
        for o in s.owners:
            if since is None:
                owes = o.stale
            else:
                owes = o.latest is None or (o.latest.rag is not Rating.COMPLETE and o.latest.date < since)
            if owes:
                out.setdefault(o.via or o.dept, []).append((s, o))
    return out


def most_overdue(standings: Iterable[Standing], as_of: date) -> list[tuple[Standing, int]]:
    """The overdue recommendations with how many days each is past its target date on `as_of`, most
    overdue first (the earliest target date; of two on one date, the lower number)."""
    late = [(s, (as_of - s.target_date).days) for s in standings if s.overdue and s.target_date is not None]
    return sorted(late, key=lambda pair: (-pair[1], pair[0].rec.number))


def points(data: Dataset, as_of: date) -> list[date]:
    """The dates a trend is counted at: the board's meetings up to `as_of`, else the end of each
    quarter from the review's (or the first source's the items are of) to `as_of`'s; the last one is
    always `as_of` itself, the position now."""
    meetings = [m for m in data.board.meetings if m < as_of]
    if data.board.meetings:
        return [*meetings, as_of]
    out: list[date] = []
    # From the first of the sources the trend counts the items of (the review's, else a plan's) on.
    begun = min((s.published for s in data.words.sources), default=data.review.published)
    year = begun.year
    while True:
        for month, last in ((3, 31), (6, 30), (9, 30), (12, 31)):
            end = date(year, month, last)
            if end < begun:
                continue
            if end >= as_of:
                return [*out, as_of]
            out.append(end)
        year += 1


def summary(standings: Iterable[Standing]) -> dict[Rating, int]:
    """How many recommendations have each rating, every rating listed."""
    counts = dict.fromkeys(Rating, 0)
    for s in standings:
        counts[s.rag] += 1
    return counts


class Filters(NamedTuple):
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


class RollUp(NamedTuple):
    """A recommendation's standing rolled up from the items of other sources that deliver it (a
    national recommendation from a partnership's local actions)."""

    rec: Recommendation
    items: tuple[Standing, ...]  # the delivering items' standings, in the workspace's order
    rag: Rating

    @property
    def awaiting(self) -> tuple[Standing, ...]:
        """The items with no return, which do not blank what the others say."""
        return tuple(s for s in self.items if s.rag is Rating.NO_RETURN)


def rolled_rating(ratings: Iterable[Rating]) -> Rating:
    """As the departmental rating is the worst known of the leads': the worst of the items that
    have a rating (one with no return does not blank the others), COMPLETE only when every item is,
    NO RETURN only when none has a rating."""
    ratings = list(ratings)
    if ratings and all(r is Rating.COMPLETE for r in ratings):
        return Rating.COMPLETE
    known = [r for r in ratings if r not in (Rating.NO_RETURN, Rating.COMPLETE)]
    if known:
        return min(known, key=lambda r: r.severity)
    return Rating.NO_RETURN if any(r is Rating.NO_RETURN for r in ratings) or not ratings else Rating.COMPLETE


def roll_up(data: Dataset, standings: Iterable[Standing]) -> list[RollUp]:
    """Each recommendation that items of another source deliver, with their standings rolled up."""
    by_number = {s.rec.number: s for s in standings}
    out = []
    for rec in data.recommendations:
        items = tuple(by_number[r.number] for r in data.delivered_by.get(rec.number, ()) if r.number in by_number)
        if items:
            out.append(RollUp(rec, items, rolled_rating(s.rag for s in items)))
    return out
