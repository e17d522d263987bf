"""The review's recommendations: owners, deadlines, the government's responses, and their rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from tracker.errors import NotFound, UsageError

from .departments import Department, Registry
from .problem import Problem
from .values import excerpt

ROLES = ("lead", "support")
# Which owners a recommendation's departmental rating is the worst of: its leads (the default), or all.
RATING_OWNERS = ("leads", "all")
DEADLINE_KINDS = ("deadline", "start", "earliest")
# How long before a meeting its returns are due, where the board's block does not say.
RETURNS_NOTICE = timedelta(days=7)
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


class Owner(NamedTuple):
    """A body a recommendation is made to: its lead, or a supporting body."""

    dept: str
    role: str
    basis: str = "text"
    note: str | None = None
    line: int | None = None
    # For a class of bodies (local authorities), an office or a body outside government: the
    # department that makes its returns (they are filed under the owner's own code, so they never
    # mix with that department's returns in its own right) and is chased for them.
    reports_via: str | None = None

    @property
    def shown(self) -> str:
        """`LA (via OHID)`, or just the code."""
        return f"{self.dept} (via {self.reports_via})" if self.reports_via else self.dept


class Deadline(NamedTuple):
    words: str  # the review's own words, "by the end of 2021"
    date: date  # the date they are taken to mean
    reasoning: str | None = None
    # What the date is: a `deadline` (done by then: overdue after it), or, in the review's words, a
    # `start` ("from 2022 to 2023") or the `earliest` a thing can be done ("after 2 years of
    # delivery"), which nothing can be overdue against.
    kind: str = "deadline"

    @property
    def is_deadline(self) -> bool:
        return self.kind == "deadline"


class Response(NamedTuple):
    """One government document's response to a recommendation."""

    date: date
    document: str
    category: str
    category_source: str
    summary: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    """One item of a source: a recommendation of the review, an action of a local plan.

    `number` is tracker's own key for it, unique in the workspace: the review's number for the
    review's recommendations, and for another source's items (which have references of their own,
    `CP-3`) one given as the sources are read (SOURCE_BASE). People see and write its `ref`.
    """

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
    source: str = "review"  # the key of the source it is from (Source.key)
    ref: str = ""  # how people name it: "12" (or "R12" beside other sources), "CP-3"
    delivers: tuple[int, ...] = ()  # the recommendations of other sources it delivers, by number
    outcomes: tuple[str, ...] = ()  # the codes of the outcomes (outcomes.yaml) it serves

    @property
    def shown(self) -> str:
        """How people name it: its ref, else its number."""
        return self.ref or str(self.number)

    @property
    def leads(self) -> tuple[Owner, ...]:
        return tuple(o for o in self.owners if o.role == "lead")

    @property
    def supports(self) -> tuple[Owner, ...]:
        return tuple(o for o in self.owners if o.role != "lead")

    @cached_property
    def _owners_on(self) -> dict[tuple[int, int, tuple[str, ...]], tuple[Registry, tuple[str, ...]]]:
        """owners_on's answers, by registry, era (Registry.era) and roles: an import of many returns asks again and again."""
        return {}


class Review(NamedTuple):
    title: str
    author: str
    published: date
    source: str


# The numbers tracker gives the items of the sources beyond the review: the n-th item of the k-th
# source (in file name order) is k * SOURCE_BASE + n. The review's own numbers stay below it.
SOURCE_BASE = 10_000
SOURCE_KINDS = ("review", "plan", "strategy")


class Source(NamedTuple):
    """A document the workspace follows up: the review (recommendations.yaml), a local delivery plan,
    another review or a strategy (sources/KEY.yaml), in its own words."""

    key: str  # "review", or the stem of sources/KEY.yaml
    title: str
    author: str
    published: date
    link: str | None
    kind: str = "review"  # review, plan or strategy: how a paper speaks of it ("the plan")
    item: str = "recommendation"  # what it calls one of its items
    items: str = "recommendations"
    responses: bool = True  # whether each item has a government response
    follow: bool = True  # False: kept for reference; its items are not asked for returns
    file: str = "recommendations.yaml"

    def counted(self, n: int) -> str:
        """`20 actions`, `1 recommendation`."""
        return f"{n:,} {self.item if n == 1 else self.items}"


class Words(NamedTuple):
    """A dataset's words (Dataset.words): `recommendation`/`action`, `department`/`body`, its sources."""

    item: str
    items: str
    owner: str
    owners: str
    sources: tuple[Source, ...]

    def counted(self, n: int) -> str:
        return f"{n:,} {self.item if n == 1 else self.items}"

    @property
    def of(self) -> str:
        """`the recommendations of the Review of drugs part two`, `the actions of the ... delivery plan
        and the recommendations of the Review ...`."""
        return " and ".join(f"the {s.items} of the {s.title}" for s in self.sources)


class Board(NamedTuple):
    """The board the workspace serves: what a paper's header block says, and when it meets."""

    name: str | None = None
    reference: str | None = None  # the paper's reference, e.g. "CDP/2026/04"
    author: str | None = None
    classification: str | None = None  # e.g. OFFICIAL
    meetings: tuple[date, ...] = ()  # in date order
    returns_by: tuple[tuple[date, date], ...] = ()  # (meeting, its returns deadline) where the board set one

    def returns_deadline(self, meeting: date) -> date:
        """When the returns for `meeting` are due: the date the board set, else a week before it."""
        return dict(self.returns_by).get(meeting, meeting - RETURNS_NOTICE)

    def previous_meeting(self, day: date) -> date | None:
        """The last meeting before `day`: a paper's "since"."""
        return next((m for m in reversed(self.meetings) if m < day), None)

    def next_meeting(self, day: date) -> date | None:
        """The first meeting on or after `day`: the chase's deadline."""
        return next((m for m in self.meetings if m >= day), None)


@dataclass(frozen=True)
class Dataset:
    """Everything recommendations.yaml says."""

    review: Review
    reporting_window_days: int
    registry: Registry
    recommendations: tuple[Recommendation, ...]
    file: str = "recommendations.yaml"
    rating_owners: str = "leads"
    board: Board = Board()
    sources: tuple[Source, ...] = ()  # beyond the review, in file name order
    review_follow: bool = True  # False: the review's recommendations are kept for reference

    @cached_property
    def review_source(self) -> Source:
        r = self.review
        return Source("review", r.title, r.author, r.published, r.source or None, follow=self.review_follow)

    @cached_property
    def all_sources(self) -> dict[str, Source]:
        """Every source by key, the review first."""
        return {s.key: s for s in (self.review_source, *self.sources)}

    def source_of(self, rec: Recommendation) -> Source:
        return self.all_sources.get(rec.source) or self.review_source

    @property
    def several(self) -> bool:
        """Whether the workspace follows more than one source (then the review's items are `R12`)."""
        return bool(self.sources)

    @cached_property
    def followed(self) -> tuple[Recommendation, ...]:
        """The items the board follows up with returns: those of every source not kept for reference."""
        follow = {s.key for s in self.all_sources.values() if s.follow}
        return tuple(r for r in self.recommendations if r.source in follow)

    @cached_property
    def words(self) -> Words:
        """How a paper speaks of what this dataset holds: its items (in their source's own word when
        they are all of one source), their owners, and the documents they come from."""
        keys = (
            list(dict.fromkeys(r.source for r in self.recommendations))
            or [s.key for s in self.all_sources.values() if s.follow]  # nothing followed yet: an empty plan, say
            or ["review"]
        )
        sources = [self.all_sources[k] for k in keys if k in self.all_sources]
        item, items = (sources[0].item, sources[0].items) if len(sources) == 1 else ("item", "items")
        only_review = keys == ["review"]
        return Words(
            item, items, "department" if only_review else "owner", "departments" if only_review else "owners", tuple(sources)
        )

    def ref_of(self, number: int) -> str:
        """How people name item `number`: its ref, else its number."""
        rec = self.find(number)
        return rec.shown if rec is not None else str(number)

    @cached_property
    def delivered_by(self) -> dict[int, tuple[Recommendation, ...]]:
        """For each recommendation some item delivers, those items, in the workspace's order."""
        found: dict[int, list[Recommendation]] = {}
        for rec in self.recommendations:
            for number in rec.delivers:
                found.setdefault(number, []).append(rec)
        return {n: tuple(items) for n, items in found.items()}

    @cached_property
    def _by_ref(self) -> dict[str, Recommendation]:
        refs: dict[str, Recommendation] = {}
        for rec in self.recommendations:
            refs.setdefault(rec.shown.casefold(), rec)
            if rec.source == "review":
                refs.setdefault(f"r{rec.number}", rec)
                refs.setdefault(str(rec.number), rec)
        return refs

    def number_of(self, text: str) -> int | None:
        """The number of the item `text` names (see find_ref), if any."""
        rec = self._by_ref.get(text.strip().casefold())
        return None if rec is None else rec.number

    @cached_property
    def refs_written(self) -> dict[int, str]:
        """The items a status file names by ref rather than number: every source's but the review's."""
        return {r.number: r.ref for r in self.recommendations if r.source != "review"}

    def named(self, number: int) -> str:
        """An item in words: `recommendation 12`, `action CP-3`."""
        label = self.label(number)
        return f"recommendation {label}" if isinstance(label, int) else label

    def label(self, number: int) -> int | str:
        """How a problem names item `number`: the review's number, else `action CP-3`."""
        rec = self.find(number)
        if rec is None or rec.source == "review":
            return number if rec is None or not self.several else f"recommendation {rec.shown}"
        return f"{self.source_of(rec).item} {rec.shown}"

    def find_ref(self, text: str) -> Recommendation | None:
        """The item `text` names: its ref (`CP-3`, any case), or a review recommendation's number (`12`, `R12`)."""
        return self._by_ref.get(text.strip().casefold())

    def lookup(self, text: str) -> Recommendation:
        """The item `text` names; NotFound, saying which exist, if there is none."""
        rec = self.find_ref(text)
        if rec is None and not self.several and not (text.strip().isascii() and text.strip().isdigit()):
            raise UsageError(f"N: {excerpt(text.strip())} is not a recommendation number")
        if rec is None:
            raise NotFound(f"{self._nothing_called(text)}{self._there_are()}")
        return rec

    def _nothing_called(self, text: str) -> str:
        text = text.strip()
        shown = text if text.isdigit() and text.isascii() and len(text) < 20 else excerpt(text)
        return f"recommendation {shown} does not exist" if not self.several else f"there is no item {shown}"

    def _there_are(self) -> str:
        review = [r.number for r in self.recommendations if r.source == "review"]
        parts = [f"{min(review)} to {max(review)}" if not self.several else f"R{min(review)} to R{max(review)}"] if review else []
        for source in self.sources:
            refs = [r.shown for r in self.recommendations if r.source == source.key]
            if refs:
                parts.append(f"{refs[0]} to {refs[-1]}" if len(refs) > 1 else refs[0])
        return f" (there are {', '.join(parts)})" if parts else ""

    @property
    def rated_by(self) -> str:
        """Whose returns the departmental rating is the worst of, in words: "the leads'"."""
        return "the leads'" if self.rating_owners == "leads" else "all the owners'"

    @cached_property
    def _by_number(self) -> dict[int, Recommendation]:
        return {r.number: r for r in self.recommendations}

    def find(self, number: int) -> Recommendation | None:
        return self._by_number.get(number)

    def recommendation(self, number: int) -> Recommendation:
        """Recommendation `number`; NotFound, saying which exist, if there is none."""
        rec = self.find(number)
        if rec is None:
            raise NotFound(f"{self._nothing_called(str(number))}{self._there_are()}")
        return rec

    def made_to(self, code: str) -> dict[str, list[int]]:
        """The numbers of the recommendations the review made to body `code` by name, by role.

        {"lead": [...], "support": [...]}; work a body took on through a merger is not counted
        (see owned_by for that).
        """
        owned: dict[str, list[int]] = {role: [] for role in ROLES}
        for rec in self.recommendations:
            for owner in rec.owners:
                if owner.dept == code:
                    owned[owner.role].append(rec.number)
        return owned

    def owned_on(self, code: str, day: date) -> dict[str, list[tuple[int, str | None]]]:
        """What body `code` owns on `day`, by role: (number, the body it was made to, when that was
        another whose work `code` took on through a merger or a split, else None)."""
        owned: dict[str, list[tuple[int, str | None]]] = {role: [] for role in ROLES}
        for rec in self.recommendations:
            for owner in rec.owners:
                if owner.dept in self.registry.departments and self.registry.current(owner.dept, day).code == code:
                    owned[owner.role].append((rec.number, owner.dept if owner.dept != code else None))
        return owned

    def department(self, text: str) -> Department:
        """The body named by `text` (a code, name, alias or former name); NotFound listing the codes."""
        found = self.registry.resolve(text)
        if found is None:
            raise NotFound(f"unknown department {excerpt(text)}; known codes: {', '.join(self.registry.departments)}")
        return found


def validate(data: Dataset) -> list[Problem]:
    """The rules that span fields: owners, leads, the registry, numbering and links."""
    problems: list[Problem] = []

    file = data.file

    def problem(line: int | None, message: str, rec: int | str | None = None, fld: str | None = None) -> None:
        problems.append(Problem(file, line, message, rec, fld))

    registry = data.registry.departments
    taken: dict[str, str] = {}
    for dept in registry.values():
        file = dept.file or data.file
        what = f"department {dept.code}"
        for name in (dept.code, dept.name, *dept.aliases):
            other = taken.setdefault(name.casefold(), dept.code)
            if other != dept.code:
                problem(dept.line, f"{name!r} also names department {other}", fld=what)
        if dept.part_of is not None and dept.part_of not in registry:
            problem(dept.line, f"part_of {dept.part_of!r} is not in the department registry", fld=what)
        dates = [e.date for e in dept.history]
        if dates != sorted(dates):
            problem(dept.line, "history is not in date order", fld=what)
        for event in dept.history:
            if event.into is not None and event.into not in registry:
                problem(dept.line, f"history: into {event.into!r} is not in the department registry", fld=what)
            if event.event in ("merged", "split") and event.into is None:
                problem(dept.line, f"history: a {event.event} event needs `into`", fld=what)
            if event.event == "renamed" and not (event.from_name and event.to_name):
                problem(dept.line, "history: a renamed event needs `from` and `to`", fld=what)

    numbers = Counter(r.number for r in data.recommendations)
    for rec in data.recommendations:
        source = data.source_of(rec)
        file = source.file
        n: int | str = rec.number if rec.source == "review" else data.label(rec.number)
        if numbers[rec.number] > 1 and rec.source == "review":
            problem(rec.line, f"number {n} is used by {numbers[rec.number]} recommendations", n, "number")
        if not rec.owners:
            problem(rec.line, "has no owner", n, "owners")
        elif not rec.leads:
            problem(rec.line, "has no lead owner (role: lead)", n, "owners")
        seen: set[str] = set()
        for owner in rec.owners:
            for code, what in ((owner.dept, ""), (owner.reports_via, "reports_via ")):
                if code is not None and code not in registry:
                    hint = data.registry.resolve(code)
                    also = f"; did you mean {hint.code}?" if hint else ""
                    problem(owner.line, f"{what}{excerpt(code)} is not in the department registry{also}", n, "owners")
            if owner.reports_via == owner.dept:
                problem(owner.line, f"{owner.dept} reports via itself; remove reports_via", n, "owners")
            elif any(o.dept == owner.reports_via and o.reports_via for o in rec.owners):
                message = (
                    f"{owner.dept} reports via {owner.reports_via}, which itself reports via another; name the body that reports"
                )
                problem(owner.line, message, n, "owners")
            if owner.dept in seen:
                problem(owner.line, f"{owner.dept} is listed as an owner twice", n, "owners")
            seen.add(owner.dept)
        for link in rec.links if rec.source == "review" else ():  # another source's links were found by ref
            if link == rec.number:
                problem(rec.line, f"links to itself ({link})", n, "links")
            elif link not in numbers:
                problem(rec.line, f"links to recommendation {link}, which does not exist", n, "links")
        if rec.deadline and rec.deadline.date < source.published:
            was = (
                "the review was published" if rec.source == "review" else f"the {source.kind} was published ({source.published})"
            )
            problem(rec.line, f"deadline {rec.deadline.date} is before {was}", n, "deadline")
    return problems


def owners_on(rec: Recommendation, registry: Registry, day: date, roles: tuple[str, ...] = ROLES) -> list[str]:
    """The codes of the bodies that carry `rec`'s owners' work on `day`, in the owners' order."""
    return list(owner_codes(rec, registry, day, roles))


def owner_codes(rec: Recommendation, registry: Registry, day: date, roles: tuple[str, ...] = ROLES) -> tuple[str, ...]:
    """owners_on, worked out once for each era of the registry (an import of many returns asks again and again)."""
    key = (id(registry), registry.era(day), roles)
    known = rec._owners_on.get(key)
    if known is not None and known[0] is registry:
        return known[1]
    codes: list[str] = []
    for owner in rec.owners:
        if owner.role in roles and owner.dept in registry.departments:
            code = registry.current(owner.dept, day).code
            if code not in codes:
                codes.append(code)
    rec._owners_on[key] = (registry, tuple(codes))
    return tuple(codes)


def owned_by(rec: Recommendation, registry: Registry, dept: Department, day: date) -> bool:
    """Whether `dept` owns `rec` on `day`, directly or as the body that carries a former owner's work."""
    return any(o.dept == dept.code for o in rec.owners) or dept.code in owners_on(rec, registry, day)


def section_matches(rec: Recommendation, section: str) -> bool:
    """`--section 3` matches 3.1 to 3.12; `--section 3.1` matches only 3.1."""
    return rec.section == section or rec.section.startswith(section.rstrip(".") + ".")
