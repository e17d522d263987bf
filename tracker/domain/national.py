"""The national roll-up of many partnership workspaces (`tracker gather`): what a partnership is
called, how its local actions' ratings roll up under a national recommendation, and what the
national unit is told. No I/O: gathering.py reads the workspaces, db/national.py the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from .rating import Rating
from .recommendations import Dataset
from .standing import rolled_rating


def partnership_name(data: Dataset, folder: str) -> str:
    """What a partnership is known by nationally: its plan's author (the partnership itself, as
    `init --partnership` writes it), else its board's name, else its workspace's folder name."""
    plans = [s for s in data.sources if s.kind == "plan" and s.author.strip()]
    if plans:
        return " ".join(plans[0].author.split())
    if data.board.name and data.board.name.strip():
        return " ".join(data.board.name.split())
    return folder


def rolled_up(ratings: Iterable[Rating]) -> Rating:
    """A national recommendation's rating in a partnership, from the headline ratings of the local
    actions delivering it, by the rule `show` and `report --roll-up` use in the workspace: the worst
    of those rated (one with no return does not blank the rest), complete only when every one is."""
    return rolled_rating(ratings)


class Partnership(NamedTuple):
    """A workspace gathered (or skipped: `problem` says why)."""

    name: str
    folder: str
    items: int = 0  # the local items it follows up (every source but the review)
    returns: int = 0
    late: int = 0  # owners owing a return
    problem: str | None = None

    @property
    def skipped(self) -> bool:
        return self.problem is not None


class National(NamedTuple):
    """A national recommendation across the partnerships: how many have actions under it, and how
    many of those roll up to each rating."""

    number: int
    ref: str
    title: str
    partnerships: int
    ratings: dict[Rating, int]


class LateReturns(NamedTuple):
    """A partnership whose owners owe returns: how many, owed by which bodies, for which board."""

    partnership: str
    owed: int
    bodies: tuple[str, ...]
    due: date
    meeting: date | None  # its next board, when the returns are owed for one


class Measure(NamedTuple):
    """An outcome measure with values in the partnerships' workspaces."""

    code: str
    name: str
    partnerships: int
    latest: str  # the latest period any partnership has a value for


class Gathered(NamedTuple):
    """What `tracker gather` built: the summary it prints and the national paper's content."""

    as_of: date
    database: str
    partnerships: Sequence[Partnership]
    recommendations: Sequence[National]
    late: Sequence[LateReturns]
    measures: Sequence[Measure] = ()

    @property
    def gathered(self) -> list[Partnership]:
        return [p for p in self.partnerships if not p.skipped]

    @property
    def skipped(self) -> list[Partnership]:
        return [p for p in self.partnerships if p.skipped]

    @property
    def items(self) -> int:
        return sum(p.items for p in self.gathered)

    @property
    def returns(self) -> int:
        return sum(p.returns for p in self.gathered)
