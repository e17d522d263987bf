"""The options several commands take (--dept, --section, --as-of, --author, --evidence, --format),
how their values are read, and what a shell completes them with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import _context
from .completion import COMPLETE_VAR

if TYPE_CHECKING:
    from tracker.domain.recommendations import Dataset


# The format a person reads is `text` in every command; `table`, its name in some commands before,
# is taken as the same.
_ALIASES = {"table": "text"}


def format_option(*choices: str, help: str | None = None) -> Any:
    """The --format option, taking one of `choices` (the first is the default)."""
    import click

    class Formats(click.Choice):  # type: ignore[type-arg]
        def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
            if isinstance(value, str) and _ALIASES.get(value.lower()) in self.choices:
                value = _ALIASES[value.lower()]
            return super().convert(value, param, ctx)

    listed = f"{', '.join(choices[:-1])} or {choices[-1]}." if len(choices) > 1 else f"{choices[0]}."
    return typer.Option("--format", click_type=Formats(choices), help=help or listed)


def _completion_data(ctx: typer.Context) -> Dataset:
    """What completion offers from: the workspace's recommendations (--root, TRACKER_ROOT or the
    nearest upwards), else the default data `tracker init` copies."""
    from tracker.errors import TrackerError
    from tracker.loading import load_recommendations, load_workspace_dataset
    from tracker.workspace import default_data, find_root

    given = ctx.find_root().params.get("root")  # as typed: typer makes it a Path only for the command
    try:
        root = find_root(Path(given) if given else None)
    except TrackerError:
        return load_recommendations(default_data())[0]
    return load_workspace_dataset(root)[0]  # numbers and codes read even where a rule is broken


def _described(text: str) -> str:
    """A description as a shell shows it: one line (zsh reads a line break as the next answer), no
    control characters (an escape sequence would drive the terminal)."""
    from tracker.output.document import plain

    return plain(text)


def complete_number(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The recommendations' numbers, each with its title. Completion never fails aloud: on any
    trouble the shell is offered nothing and says nothing."""
    try:
        return [(r.shown, _described(r.title)) for r in _completion_data(ctx).recommendations]
    except Exception:
        return []


def complete_dept(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Department codes, each with its name: once a command has its recommendation N, the bodies
    named as its owners and those that carry their work today; else every body in the registry."""
    try:
        data = _completion_data(ctx)
        item = ctx.params.get("item")
        if item is None:  # `update 11 --dept`: click leaves 11 unparsed while --dept has no value
            item = next((word for word in ctx.args if data.find_ref(word) is not None), None)
        rec = data.find_ref(item) if isinstance(item, str) else None
        registry, codes = data.registry, list(data.registry.departments)
        via: dict[str, str] = {}
        if rec is not None:
            codes = list(
                dict.fromkeys(dept.code for owner in rec.owners for dept in registry.chain(owner.dept, _context.today()))
            )
            via = {owner.dept: owner.reports_via for owner in rec.owners if owner.reports_via}
        return [
            (code, _described(registry.departments[code].name + (f" (via {via[code]})" if code in via else "")))
            for code in codes
            if code in registry.departments
        ]
    except Exception:
        return []


def complete_rating(incomplete: str) -> list[str]:
    """The ratings a return or an assessment takes, as words."""
    return ["red", "amber", "green", "complete"]


def complete_rating_filter(incomplete: str) -> list[str]:
    """The ratings a report selects by: a return's, or no return."""
    return [*complete_rating(incomplete), "no-return"]


# What options and arguments complete with. typer inspects every completion callback as it builds a
# command, which costs each command's start-up a part of a millisecond: they are given to typer only
# in the process that answers a shell completing a word.
_completing = COMPLETE_VAR in os.environ


NUMBERS = complete_number if _completing else None
# The item a command is about: `N` in its usage.
Item = Annotated[
    str,
    typer.Argument(
        metavar="N",
        help="The recommendation's number (12), or another source's item by its reference (CP-3).",
        autocompletion=NUMBERS,
    ),
]


DEPTS = complete_dept if _completing else None


RATINGS = complete_rating if _completing else None


RATING_FILTERS = complete_rating_filter if _completing else None


Dept = Annotated[
    str | None,
    typer.Option("--dept", help="Only those this department owns (a code, name or former name).", autocompletion=DEPTS),
]


def _section(value: str | None) -> str | None:
    """A section as given, without the white space around it; an empty one is a usage error, the
    same in every command (it would match nothing in one and everything in another)."""
    if value is not None and not value.strip().lstrip("§"):
        raise typer.BadParameter("is empty; give a section of the review, e.g. 3 or 3.11", param_hint="--section")
    return value.strip().lstrip("§").strip() if value is not None else None  # §3.11 as the CSVs write it


Section = Annotated[str | None, typer.Option("--section", help="Only this section of the review: 3 or 3.11.", callback=_section)]


AsOf = Annotated[str | None, typer.Option("--as-of", help="As things stood on this date, YYYY-MM-DD (default: today).")]


Author = Annotated[str | None, typer.Option("--author", help="Who recorded it (default: TRACKER_AUTHOR, git user.name, login).")]


Evidence = Annotated[list[str] | None, typer.Option("--evidence", help="A link to evidence (http or https); repeatable.")]


@contextmanager
def option(name: str) -> Iterator[None]:
    """An error raised in the block names the option it came from: `--date: ... is not a real date`."""
    from tracker.errors import TrackerError

    try:
        yield
    except TrackerError as e:
        e.message = f"{name}: {e.message}"
        raise


# How far ahead of today a date option may be: a trend or a paper as of 9999-12-31 would count
# 32,000 quarters' ends, and no plan of the review's reaches that far.
YEARS_AHEAD = 50


def option_date(text: str | None, name: str, default: date) -> date:
    """A date given as an option, YYYY-MM-DD, at most YEARS_AHEAD years after today; `default`
    when the option is not given."""
    from tracker.domain.returns import text_date
    from tracker.errors import DataError

    if text is None:
        return default
    with option(name):
        day = text_date(text)
    latest = date(_context.today().year + YEARS_AHEAD, 12, 31)
    if day > latest:
        raise DataError(f"{name}: {day} is more than {YEARS_AHEAD} years ahead; give a date up to {latest}")
    return day


def as_of_date(text: str | None, data: Dataset) -> date:
    """The date a command reports on (--as-of, else today): not before the review it follows up."""
    from tracker.errors import DataError

    day = option_date(text, "--as-of", _context.today())
    if day < data.review.published:
        raise DataError(f"--as-of: {day} is before the review was published ({data.review.published})")
    return day


def department_code(data: Dataset, text: str, on: date) -> str:
    """The code of the body that carries the work of the one named `text` on `on`."""
    with option("--dept"):
        return data.registry.current(data.department(text).code, on).code
