"""What commands share: the workspace and the date they work on, the database, common options."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .completion import COMPLETE_VAR

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracker.db import Connection
    from tracker.domain.corrections import Correction
    from tracker.domain.recommendations import Dataset
    from tracker.domain.returns import Return
    from tracker.domain.standing import Standing
    from tracker.recording import Added


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
    from tracker.sync import load_recommendations
    from tracker.workspace import MARKER, default_data, find_root, read

    given = ctx.find_root().params.get("root")  # as typed: typer makes it a Path only for the command
    try:
        root = find_root(Path(given) if given else None)
    except TrackerError:
        raw = default_data()
    else:
        raw = read(root / MARKER, MARKER)[0]
    return load_recommendations(raw)[0]  # numbers and codes read even where a rule is broken


def _described(text: str) -> str:
    """A description as a shell shows it: one line (zsh reads a line break as the next answer), no
    control characters (an escape sequence would drive the terminal)."""
    from tracker.output.document import plain

    return plain(text)


def complete_number(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The recommendations' numbers, each with its title. Completion never fails aloud: on any
    trouble the shell is offered nothing and says nothing."""
    try:
        return [(str(r.number), _described(r.title)) for r in _completion_data(ctx).recommendations]
    except Exception:
        return []


def complete_dept(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Department codes, each with its name: once a command has its recommendation N, the bodies
    named as its owners and those that carry their work today; else every body in the registry."""
    try:
        data = _completion_data(ctx)
        number = ctx.params.get("number")
        if number is None:  # `update 11 --dept`: click leaves 11 unparsed while --dept has no value
            number = next((int(word) for word in ctx.args if word.isdigit()), None)
        rec = data.find(number) if isinstance(number, int) else None
        registry, codes = data.registry, list(data.registry.departments)
        via: dict[str, str] = {}
        if rec is not None:
            codes = list(dict.fromkeys(dept.code for owner in rec.owners for dept in registry.chain(owner.dept, today())))
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
DEPTS = complete_dept if _completing else None
RATINGS = complete_rating if _completing else None
RATING_FILTERS = complete_rating_filter if _completing else None

Dept = Annotated[
    str | None,
    typer.Option("--dept", help="Only those this department owns (a code, name or former name).", autocompletion=DEPTS),
]
Section = Annotated[str | None, typer.Option("--section", help="Only this section of the review: 3 or 3.11.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="As things stood on this date, YYYY-MM-DD (default: today).")]
Author = Annotated[str | None, typer.Option("--author", help="Who recorded it (default: TRACKER_AUTHOR, git user.name, login).")]
Evidence = Annotated[list[str] | None, typer.Option("--evidence", help="A link to evidence (http or https); repeatable.")]


def root(ctx: typer.Context) -> Path:
    """The workspace: --root, else TRACKER_ROOT, else the nearest folder upwards with recommendations.yaml."""
    from tracker.workspace import find_root

    return find_root(ctx.find_root().obj)


def today() -> date:
    """The day tracker works on: TRACKER_TODAY (YYYY-MM-DD) when it is set and not empty, else the clock's.

    The one place tracker asks the clock; everything below is given the date. Set from outside,
    it lets a test run every command on a day of its choosing."""
    given = os.environ.get("TRACKER_TODAY")
    if not given:
        return date.today()
    from tracker.domain.values import parse_date
    from tracker.errors import UsageError

    try:
        return parse_date(given)
    except ValueError as e:
        raise UsageError(f"TRACKER_TODAY: {e}") from None


def database(ctx: typer.Context) -> Connection:
    """The workspace's database, in line with its YAML and its standing tables as of today: opened
    once, whoever asks, and closed when the command ends, however it ends."""
    conn: Connection | None = ctx.meta.get(_DATABASE)
    if conn is None:
        from tracker.sync import open_synced

        conn = ctx.meta[_DATABASE] = ctx.with_resource(closing(open_synced(root(ctx), today())))
    return conn


_DATABASE = "tracker.database"  # where the command's context keeps its connection


def dataset(ctx: typer.Context) -> Dataset:
    """The workspace's recommendations, as its database holds them: read once for the command."""
    from tracker import db

    data: Dataset | None = ctx.meta.get("tracker.dataset")
    if data is None:
        data = ctx.meta["tracker.dataset"] = db.dataset(database(ctx))
    return data


def standings(conn: Connection, data: Dataset, as_of: date) -> list[Standing]:
    """Where every recommendation stood on `as_of`, ignoring returns dated after it (as the sync
    works it out for the standing tables)."""
    from tracker.sync import standings as standings_on

    return standings_on(conn, data, as_of)


def standings_over(conn: Connection, data: Dataset, dates: Sequence[date]) -> list[tuple[date, list[Standing]]]:
    """Where every recommendation stood on each of `dates`, in one look at the database."""
    from tracker.sync import standings_over as over

    return over(conn, data, dates)


@contextmanager
def option(name: str) -> Iterator[None]:
    """An error raised in the block names the option it came from: `--date: ... is not a real date`."""
    from tracker.errors import TrackerError

    try:
        yield
    except TrackerError as e:
        e.message = f"{name}: {e.message}"
        raise


def option_date(text: str | None, name: str, default: date) -> date:
    """A date given as an option, YYYY-MM-DD; `default` when the option is not given."""
    from tracker.domain.returns import text_date

    if text is None:
        return default
    with option(name):
        return text_date(text)


def as_of_date(text: str | None, data: Dataset) -> date:
    """The date a command reports on (--as-of, else today): not before the review it follows up."""
    from tracker.errors import DataError

    day = option_date(text, "--as-of", today())
    if day < data.review.published:
        raise DataError(f"--as-of: {day} is before the review was published ({data.review.published})")
    return day


def department_code(data: Dataset, text: str, on: date) -> str:
    """The code of the body that carries the work of the one named `text` on `on`."""
    with option("--dept"):
        return data.registry.current(data.department(text).code, on).code


def record(ctx: typer.Context, returns: Sequence[Return | Correction], today: date) -> Added:
    """Record returns (or corrections) in their files and the database (recording.add_returns)."""
    from tracker.errors import release_interrupts
    from tracker.recording import add_returns

    ctx.call_on_close(release_interrupts)
    return add_returns(root(ctx), returns, today, database(ctx), dataset(ctx))


def warn_if_lagging(reason: str | None) -> None:
    """Say that tracker.db could not take what was recorded: the status files hold it all the same."""
    if reason is not None:
        from tracker.output.text import clean

        typer.echo(
            f"tracker: warning: recorded in the status file, but tracker.db could not be updated ({clean(reason)});"
            " the next command will bring it in line",
            err=True,
        )


def write_after_recording(text: str) -> None:
    """Print what was recorded. It is recorded whatever happens to this: an output that cannot take
    it (a full disk, a closed pipe, an encoding without its characters) is a warning, not a failure."""
    try:
        write(text)
        sys.stdout.flush()
    except (OSError, UnicodeError) as e:
        from tracker.errors import from_machine, silence_stdout

        reason = from_machine(e) if isinstance(e, (OSError, UnicodeEncodeError)) else e
        try:
            typer.echo(f"tracker: warning: recorded, but the confirmation could not be printed ({reason})", err=True)
        except (OSError, UnicodeError):
            pass
        silence_stdout()


def write(text: str) -> None:
    """Print a command's result. At a terminal, text from the data is neutralised (CSV and plain
    listings carry it as it is, for the files and pipes they are meant for)."""
    if sys.stdout.isatty():
        from tracker.output.text import clean

        text = clean(text)
    sys.stdout.write(text)


def is_terminal(path: Path) -> bool:
    """Whether a path the user gave is a terminal (/dev/tty, /dev/stdout at one)."""
    import os
    import stat

    try:
        if not stat.S_ISCHR(path.stat().st_mode):
            return False
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def echo(text: str, err: bool = False) -> None:
    """A line about what a command did, naming files or folders the user gave: neutralised."""
    from tracker.output.text import clean

    lead = "\n" if text.startswith("\n") else ""  # a blank line before it, where one is asked for
    typer.echo(lead + " ".join(clean(text.removeprefix("\n")).split("\n")), err=err)


def names_stdout(path: Path) -> bool:
    """Whether --out names standard output itself (-, /dev/stdout): written as stdout is, so that a
    closed stdout is an error, not a file that SQLite has put in its place."""
    return str(path) in ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


def width() -> int:
    """The width to lay text out in: the terminal's (or COLUMNS), else 80 when piped."""
    import os
    import shutil

    return shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() or "COLUMNS" in os.environ else 80


def write_coloured(text: str) -> None:
    """Print plain text; at a terminal, with its rating words in their colours."""
    if not sys.stdout.isatty():
        write(text)
        return
    from tracker.output.terminal import coloured

    show(coloured(text))


def show(renderable: object) -> None:
    """Print a rich renderable: colour only at a terminal; 80 columns and no trailing spaces when piped."""
    from tracker.output.terminal import console

    out = console()
    if sys.stdout.isatty():
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
