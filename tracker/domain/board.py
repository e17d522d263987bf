"""The secretariat's own record: the board's actions log (actions.yaml) and its words for each
meeting's paper (meetings.yaml: a cover note, the decisions asked, risks and issues).

An action is raised at a meeting, owned, due, and has a status; it is never edited: an update
(a later block naming it) changes its status, due date or owner, with a note, so the log's history
stays reviewable, as corrections keep the returns'.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from .problem import Problem
from .rating import Rating
from .recommendations import Dataset

ACTIONS = "actions.yaml"
MEETINGS = "meetings.yaml"
STATUSES = ("open", "in-progress", "done", "dropped")
CLOSED = ("done", "dropped")
KINDS = ("risk", "issue")
# A risk or issue is rated as a recommendation is, without COMPLETE or NO RETURN.
RISK_RATINGS = (Rating.RED, Rating.AMBER, Rating.GREEN)
_ID = re.compile(r"[Aa]?([1-9][0-9]{0,14})")


def action_id(text: str) -> str | None:
    """An action's reference as tracker writes it (`A7`), from `A7`, `a7` or `7`; None if it is not one."""
    found = _ID.fullmatch(text.strip())
    return f"A{found.group(1)}" if found else None


def _number(ref: str) -> int:
    return int(ref[1:])


class Action(NamedTuple):
    """An action the board raised at a meeting."""

    ref: str  # A1, A2, ... in the order they were raised
    raised: date  # the meeting that raised it
    text: str
    owner: str
    due: date | None = None
    recommendations: tuple[int, ...] = ()
    line: int | None = None


class ActionUpdate(NamedTuple):
    """A later block naming an action: a new status, due date or owner, and a note, on a date."""

    ref: str
    date: datetime.date
    status: str | None = None
    note: str | None = None
    due: datetime.date | None = None
    owner: str | None = None
    line: int | None = None


class ActionState(NamedTuple):
    """An action as it stands on a date, its updates up to then applied in order."""

    action: Action
    status: str
    owner: str
    due: date | None
    note: str | None  # the latest update's note
    changed: date  # the day of its latest update, or the day it was raised

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def overdue(self, day: date) -> bool:
        return not self.closed and self.due is not None and self.due < day


def action_states(actions: Sequence[Action], updates: Sequence[ActionUpdate], day: date) -> list[ActionState]:
    """Every action raised on or before `day`, as it stands on `day`, in the order raised."""
    by_ref = {a.ref: ActionState(a, "open", a.owner, a.due, None, a.raised) for a in actions if a.raised <= day}
    for u in sorted((u for u in updates if u.date <= day), key=lambda u: (u.date, u.line or 0)):
        s = by_ref.get(u.ref)
        if s is None:
            continue
        by_ref[u.ref] = ActionState(
            s.action, u.status or s.status, u.owner or s.owner, u.due or s.due, u.note or s.note, max(s.changed, u.date)
        )
    return sorted(by_ref.values(), key=lambda s: _number(s.action.ref))


def next_ref(actions: Iterable[Action]) -> str:
    return f"A{max((_number(a.ref) for a in actions), default=0) + 1}"


def check_actions(
    actions: Sequence[Action], updates: Sequence[ActionUpdate], data: Dataset, today: date | None, file: str = ACTIONS
) -> list[Problem]:
    """The rules the actions log keeps: each action raised once, at one of the board's meetings,
    due no earlier; each update naming an action raised before it, dated no earlier, changing something."""
    problems: list[Problem] = []

    def problem(line: int | None, field: str, message: str) -> None:
        problems.append(Problem(file, line, message, None, field))

    seen: dict[str, Action] = {}
    numbers = {r.number for r in data.recommendations}
    for a in actions:
        if a.ref in seen:
            problem(
                a.line, "action", f"{a.ref} is raised twice (also on line {seen[a.ref].line}); give the new one the next number"
            )
            continue
        seen[a.ref] = a
        if data.board.meetings and a.raised not in data.board.meetings:
            problem(a.line, "raised", f"{a.raised} is not one of the board's meetings (the board: block of recommendations.yaml)")
        if a.due is not None and a.due < a.raised:
            problem(a.line, "due", f"{a.due} is before the meeting that raised it ({a.raised})")
        if today is not None and a.raised > today:
            problem(a.line, "raised", f"{a.raised} is in the future: an action is raised at a meeting that has been held")
        for n in a.recommendations:
            if n not in numbers:
                problem(a.line, "recommendations", f"there is no {data.named(n)}")
    for u in updates:
        target = seen.get(u.ref)
        if target is None or (target.line or 0) > (u.line or 0):
            problem(u.line, "update", f"names {u.ref}, which no earlier block of the log raises")
            continue
        if u.date < target.raised:
            problem(u.line, "date", f"{u.date} is before {u.ref} was raised ({target.raised})")
        if today is not None and u.date > today:
            problem(u.line, "date", f"{u.date} is in the future")
        if u.due is not None and u.due < target.raised:
            problem(u.line, "due", f"{u.due} is before {u.ref} was raised ({target.raised})")
        if u.status is None and u.note is None and u.due is None and u.owner is None:
            problem(u.line, "update", "changes nothing: give a status, a note, a due date or an owner")
    return problems


class Risk(NamedTuple):
    """A risk or an issue the secretariat reports to a meeting."""

    kind: str  # risk or issue
    text: str
    owner: str | None = None
    rating: Rating | None = None
    mitigation: str | None = None


class MeetingNotes(NamedTuple):
    """The secretariat's own words for one meeting's paper."""

    meeting: datetime.date
    cover: tuple[str, ...] = ()  # the cover note's paragraphs
    asks: tuple[str, ...] = ()  # the decisions the board is asked to take; none: drafted from the exceptions
    risks: tuple[Risk, ...] = ()
    line: int | None = None


def check_meetings(notes: Sequence[MeetingNotes], data: Dataset, file: str = MEETINGS) -> list[Problem]:
    """Each meeting's words once, for one of the board's meetings."""
    problems: list[Problem] = []
    seen: dict[date, MeetingNotes] = {}
    for n in notes:
        if n.meeting in seen:
            problems.append(
                Problem(
                    file,
                    n.line,
                    f"{n.meeting} has words already (line {seen[n.meeting].line}); keep one block per meeting",
                    None,
                    "meeting",
                )
            )
            continue
        seen[n.meeting] = n
        if data.board.meetings and n.meeting not in data.board.meetings:
            problems.append(
                Problem(
                    file,
                    n.line,
                    f"{n.meeting} is not one of the board's meetings (the board: block of recommendations.yaml)",
                    None,
                    "meeting",
                )
            )
    return problems


def notes_for(notes: Sequence[MeetingNotes], meeting: date | None) -> MeetingNotes | None:
    return next((n for n in notes if n.meeting == meeting), None) if meeting is not None else None
