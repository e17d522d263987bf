"""Corrections: a record appended after a return (or an assessment) that withdraws or corrects it.

Nothing is edited or deleted: the file keeps the return as it was recorded and, later, the record
that changes it and why. Everything that rates, reports or exports uses the history with the
corrections applied: a withdrawn return no longer counts, and a corrected one counts with its new
values in its place (its date and its line), so a corrected rating is never read as the owner
getting worse, and of two entries on one day the later still counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from datetime import date
from typing import NamedTuple

from .problem import Problem
from .rating import Rating
from .recommendations import Dataset
from .returns import Entry, check_return

KINDS = ("withdraw", "correct")
# What a correction may change; anything it does not name stays as it was.
CHANGEABLE = ("rag", "summary", "evidence", "target_date", "reason", "evidence_date")


class Correction(NamedTuple):  # a named tuple: a dataclass costs every command a millisecond to define
    """`withdraw` or `correct` the entry of `recommendation` dated `of_date` earlier in the same file."""

    kind: str
    recommendation: int
    of_date: datetime.date
    of_line: int | None  # which entry, when there are several on that date
    why: str
    author: str
    date: datetime.date  # when it was recorded
    rag: Rating | None = None
    summary: str | None = None
    evidence: tuple[str, ...] | None = None
    target_date: datetime.date | None = None
    reason: str | None = None
    file: str = ""
    line: int | None = None
    evidence_date: str | None = None  # an assessment's: when its evidence is from

    def changes(self) -> dict[str, object]:
        """The new values a correction gives, by field."""
        return {f: getattr(self, f) for f in CHANGEABLE if getattr(self, f) is not None}

    def key(self) -> tuple[object, ...]:
        return (self.kind, self.recommendation, self.of_date, self.of_line, self.why, *self.changes().items())


class Applied(NamedTuple):
    """What a correction does: the entry it names, and (for `correct`) the entry that replaces it."""

    target: Entry
    replacement: Entry | None


def apply(
    c: Correction, candidates: Callable[[int, date], Sequence[Entry]], data: Dataset, today: date | None = None
) -> Applied | Problem:
    """Resolve correction `c` against the entries of its file still in force.

    `candidates(recommendation, day)` gives the entries of the file on that recommendation and
    date that no earlier correction has withdrawn or replaced, in the order they were recorded.
    """

    def problem(message: str, field: str | None = None) -> Problem:
        return Problem(c.file, c.line, message, data.label(c.recommendation), field)

    found = [r for r in candidates(c.recommendation, c.of_date) if c.line is None or (r.line or 0) < c.line]
    if c.of_line is not None:
        found = [r for r in found if r.line == c.of_line]
    what = f"entry on {data.named(c.recommendation)} dated {c.of_date}" + (
        f" on line {c.of_line}" if c.of_line is not None else ""
    )
    if not found:
        return problem(f"names no {what} still in force in this file (none, or it was withdrawn)", c.kind)
    if len(found) > 1:
        lines = ", ".join(str(r.line) for r in found)
        return problem(
            f"names {len(found)} entries ({what}, on lines {lines}); say which with --line (`line:` in the file)", c.kind
        )
    target = found[0]
    if c.date < target.date:
        return problem(f"is dated {c.date}, before the entry it changes ({target.date})", "date")
    if c.kind == "withdraw":
        return Applied(target, None)
    changes = c.changes()
    if not changes:
        return problem("changes nothing: give a new rating, summary, evidence, target date, reason or evidence date", c.kind)
    if target.is_assessment and ("target_date" in changes or "reason" in changes):
        return problem("an assessment has no target date to correct", "target_date")
    if not target.is_assessment and "evidence_date" in changes:
        return problem("a return has no evidence date to correct: its date is when it was made", "evidence_date")
    # The corrected entry takes the place of the one it corrects: its date and its line, so that of
    # two entries on one day, the one recorded later still counts.
    replacement = target._replace(**changes)  # type: ignore[arg-type]
    # A return's reason goes with its revised target date: correct both, or take both away.
    broken = check_return(replacement, data, today)
    if broken:
        first = broken[0]
        return problem(f"the corrected entry would break a rule: {first.message}", first.field)
    return Applied(target, replacement)


def correction_problems(
    returns: Sequence[Entry], corrections: Sequence[Correction], data: Dataset, today: date | None = None
) -> list[Problem]:
    """Every rule the corrections of one file break, applied in order to its returns (in memory)."""
    in_force: dict[tuple[int, date], list[Entry]] = {}
    for r in returns:
        in_force.setdefault((r.recommendation, r.date), []).append(r)
    problems = []
    for c in sorted(corrections, key=lambda c: c.line or 0):
        outcome = apply(c, lambda n, d: in_force.get((n, d), []), data, today)
        if isinstance(outcome, Problem):
            problems.append(outcome)
            continue
        entries = in_force[(outcome.target.recommendation, outcome.target.date)]
        entries.remove(outcome.target)
        if outcome.replacement is not None:
            entries.append(outcome.replacement)
    return problems


class Trail(NamedTuple):
    """A correction as the history shows it: what it did to which entry, and why."""

    kind: str
    file: str
    line: int
    of: Entry  # the entry as it was recorded
    now: Entry | None  # its corrected values (for `correct`)
    why: str
    author: str
    date: date
