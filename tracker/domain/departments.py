"""The department registry: every body named in the recommendations, its renames and mergers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple

EVENTS = ("created", "renamed", "merged", "split", "closed", "absorbed", "announced")
# Events after which a body no longer exists and its work is tracked under `into`.
ENDING_EVENTS = ("merged", "split", "closed")


class HistoryEvent(NamedTuple):
    """A dated change to a body: created, renamed (from, to), merged or split into another, closed, ..."""

    date: date
    event: str
    note: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    into: str | None = None


class Department(NamedTuple):
    """A body named in the recommendations (a department, an agency, a class of local bodies)."""

    code: str
    name: str
    part_of: str | None = None
    aliases: tuple[str, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    line: int | None = None
    file: str | None = None  # where it is defined, when not recommendations.yaml (a source's `bodies:`)

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

    def resolve(self, text: str) -> Department | None:
        """Find a body by its code, a former name or an alias, ignoring case."""
        if text in self._resolved:
            return self._resolved[text]
        wanted = " ".join(text.split()).casefold()
        found = None
        for dept in self.departments.values():
            names = {dept.code, dept.name, *dept.aliases}
            names.update(e.from_name or "" for e in dept.history)
            names.update(e.to_name or "" for e in dept.history)
            if wanted in {n.casefold() for n in names if n}:
                found = dept
                break
        self._resolved[text] = found
        return found

    @cached_property
    def _resolved(self) -> dict[str, Department | None]:
        """Names already looked up: an import of many rows names the same few bodies again and again."""
        return {}

    def chain(self, code: str, day: date) -> tuple[Department, ...]:
        """The body `code` and each body that took its work on by `day`, through mergers and splits.

        The one place a body is followed to its successors; renames keep the code, so they need
        no following. An unknown code has an empty chain.
        """
        key = (code, self.era(day))
        found = self._chains.get(key)
        if found is not None:
            return found
        dept = self.departments.get(code)
        chain: list[Department] = []
        while dept is not None and dept not in chain:
            chain.append(dept)
            end = dept.ended(day)
            dept = self.departments.get(end.into) if end is not None and end.into else None
        self._chains[key] = tuple(chain)
        return tuple(chain)

    @cached_property
    def _chains(self) -> dict[tuple[str, int], tuple[Department, ...]]:
        """Chains already followed, by body and era: a report or an import asks again and again."""
        return {}

    def era(self, day: date) -> int:
        """How many of the days a body ended (merged, split, closed) are on or before `day`: on two
        days of one era, every body's chain is the same, and so is every recommendation's owners."""
        return bisect_right(self._endings, day)

    @cached_property
    def _endings(self) -> list[date]:
        return sorted({e.date for d in self.departments.values() for e in d.history if e.event in ENDING_EVENTS})

    def current(self, code: str, day: date) -> Department:
        """The body that carries `code`'s work on `day`."""
        return self.chain(code, day)[-1]


class Succession(NamedTuple):
    """Who carries a body's work today, and what happened to it since a given day."""

    named_as: str
    name_then: str
    current: Department
    changes: tuple[str, ...]


def succession(registry: Registry, code: str, then: date, today: date) -> Succession:
    """Trace the body named `code` on `then` to the body that carries its work on `today`."""
    chain = registry.chain(code, today)
    changes: list[str] = []
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
    return Succession(code, chain[0].name_on(then), chain[-1], tuple(changes))
