"""tracker update, export and import: recording departments' returns, one at a time or in bulk."""

# No `from __future__ import annotations`: typer reads the options' annotations as they are (see paper.py).
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from tracker.errors import DataError, Interrupted, UsageError

from . import _context, _options, _out

app = typer.Typer()


def _ask(
    label: str, choices: list[str] | None = None, default: str | None = None, check: Callable[[str], object] | None = None
) -> str:
    """Ask at the terminal until the answer passes `check` (a mistake is said, and asked again, not
    an exit that loses what was typed); Ctrl-C or end of input abandons the command, nothing written."""
    from tracker.errors import TrackerError

    hint = f" ({', '.join(choices)})" if choices else ""
    while True:
        try:
            answer: str = typer.prompt(f"{label}{hint}", default=default, show_default=bool(default)).strip()
        except (typer.Abort, KeyboardInterrupt, EOFError):
            raise Interrupted("interrupted; nothing was recorded") from None
        if check is None:
            return answer
        try:
            check(answer)
        except TrackerError as e:
            typer.echo(f"  {e.message}; try again", err=True)
            continue
        return answer


def _links(text: str) -> None:
    from tracker.domain.values import is_url

    for url in text.split():
        if not is_url(url):
            raise DataError(f"{url!r} is not an http(s) URL")


def _missing(option: str, choices: str) -> UsageError:
    return UsageError(f"{option} is required when not at a terminal ({choices})")


def author_of(root: Path) -> str:
    """Who is recording: TRACKER_AUTHOR, else git's user.name, else the login name."""
    import getpass
    import os
    import subprocess

    if os.environ.get("TRACKER_AUTHOR"):
        return os.environ["TRACKER_AUTHOR"].strip()
    try:
        output = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, timeout=5).stdout
        name = output.decode("utf-8", "surrogateescape").strip()  # checked with every other field
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or getpass.getuser()


@app.command()
def update(
    ctx: typer.Context,
    item: _options.Item,
    dept: Annotated[
        str | None,
        typer.Option(
            "--dept", help="The department making the return: a code, name or former name.", autocompletion=_options.DEPTS
        ),
    ] = None,
    rag: Annotated[
        str | None,
        typer.Option("--rag", help="red, amber, green or complete; or R, A, G, C (B for blue).", autocompletion=_options.RATINGS),
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What has been done, in the department's words.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Date of the return, YYYY-MM-DD (default: today).")] = None,
    author: _options.Author = None,
    evidence: _options.Evidence = None,
    target_date: Annotated[
        str | None, typer.Option("--target-date", help="A revised target date, YYYY-MM-DD (needs --reason).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the target date moved.")] = None,
) -> None:
    """Record a department's return on recommendation N."""
    from tracker.domain.rating import RATING_CHOICES, RETURN_RATINGS
    from tracker.domain.recommendations import owners_on
    from tracker.domain.returns import check_text, file_under, parse_rating

    today = _context.today()
    data = _context.dataset(ctx)
    rec = data.lookup(item)
    number = rec.number
    at_terminal = sys.stdin.isatty()

    # Each answer is checked as it is given, so a mistake is caught before the next question; what
    # the options say that cannot be right is said before the first.
    if bool(target_date) != bool(reason):
        raise DataError(
            "--reason: a revised target date needs a reason"
            if target_date
            else "--target-date: a reason is given but no revised target date"
        )
    if on is None and at_terminal:
        from tracker.csvio import uk_date  # at a prompt, as in a spreadsheet, 24/11/2026 is a date too

        def real_day(text: str) -> None:
            day = _options.option_date(uk_date(text), "date", today)
            if day > today:
                raise DataError(f"{day} is in the future")
            if day < data.review.published:
                raise DataError(f"{day} is before the review was published ({data.review.published})")

        on = uk_date(_ask("Date", default=today.isoformat(), check=real_day))
    day = _options.option_date(on or None, "--date", today)
    if dept is None:
        owners = owners_on(rec, data.registry, day)
        if not at_terminal:
            raise _missing("--dept", f"{data.named(number)} is owned by {', '.join(owners)}")

        def owner(text: str) -> None:
            code = file_under(data, rec, text, day)
            if target_date and code not in owners_on(rec, data.registry, day, ("lead",)):
                raise DataError(f"only a lead moves the target date, and {code} supports {data.named(number)}")

        dept = _ask("Department", owners, owners[0] if len(owners) == 1 else None, owner)
    with _options.option("--dept"):
        file_under(data, rec, dept, day)
    if rag is None:
        if not at_terminal:
            raise _missing("--rag", RATING_CHOICES)
        rag = _ask("RAG", [r.value for r in RETURN_RATINGS], check=parse_rating)
    with _options.option("--rag"):
        parse_rating(rag)
    if target_date:
        _options.option_date(target_date, "--target-date", today)
    if summary is None:
        if not at_terminal:
            raise _missing("--summary", "what has been done, in the department's words")
        summary = _ask("Summary", check=check_text)
    if evidence is None and at_terminal:
        links = _ask("Evidence links, separated by spaces (Enter for none)", default="", check=_links)
        evidence = links.split()
    fields = {
        "recommendation": data.ref_of(number),
        "dept": dept,
        "date": day.isoformat(),
        "rag": rag,
        "summary": summary,
        "target_date": target_date or "",
        "reason": reason or "",
    }
    record_one(ctx, fields, author, evidence or [])


def record_one(ctx: typer.Context, fields: dict[str, str], author: str | None, evidence: list[str]) -> None:
    """Record one return (or, with no "dept", an assessment) given on the command line, and say what was recorded."""
    from tracker.domain.returns import Entry, FieldError, return_from_text

    root, today, data = _context.root(ctx), _context.today(), _context.dataset(ctx)
    try:
        new = return_from_text(fields | {"author": author or author_of(root)}, evidence, data, today)
    except FieldError as e:
        origin = " (taken from TRACKER_AUTHOR, git's user.name or the login name)" if e.field == "author" and not author else ""
        named = "N" if e.field == "recommendation" else f"--{e.field.replace('_', '-')}"  # N: the argument, not an option
        raise DataError(f"{named}: {e.message}{origin}") from None
    added = _context.record(ctx, [new], today)
    _context.warn_if_lagging(added.database_lags)
    if added.withdrawn:
        was = added.withdrawn[0]
        raise DataError(
            f"the same entry was recorded and then withdrawn or corrected ({was.file}:{was.line}); nothing was added:"
            " give it as it stands today (its own date, or different words)"
        )
    if not added.returns:
        _out.write_after_recording("already recorded: nothing was added\n")
        return
    from tracker.output.plain import recorded

    assert isinstance(added.returns[0], Entry)
    given = fields["rag"].strip()
    read_as = f"({given} read as {new.rag.word})\n" if given.casefold() != new.rag.value else ""
    _out.write_after_recording(recorded(data, added.returns[0]) + read_as)


@app.command()
def export(
    ctx: typer.Context,
    format: Annotated[str, _options.format_option("csv", help="csv: the columns `tracker import` reads.")] = "csv",
) -> None:
    """Write every return as CSV, in the columns `tracker import` reads."""
    from tracker import db
    from tracker.csvio import write_returns

    conn = _context.database(ctx)
    _out.write(write_returns(db.returns(conn), _context.dataset(ctx).refs_written))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            # A folder is refused as any file that cannot be read is, exit 3, by workspace.read: not as a usage error.
            help="A CSV file in the columns `tracker export` writes, or a filled return pack (.xlsx or .csv)."
        ),
    ],
) -> None:
    """Import returns from a CSV file or a return pack: all rows or none; rows already recorded are skipped."""
    from tracker.csvio import read_returns
    from tracker.loading import without_gc
    from tracker.output.text import clean
    from tracker.workspace import read

    root, today = _context.root(ctx), _context.today()
    data = _context.dataset(ctx)
    raw, _ = read(file, str(file))  # a regular file of a sane size: never a pipe to wait on
    with without_gc():  # a row makes a few objects, and no cycles among them: nothing for the collector to do
        if file.suffix.lower() == ".xlsx":
            from tracker.packs import read_xlsx

            rows, notes = read_xlsx(raw, str(file), data, today, default_author=lambda: author_of(root))
        else:
            rows, notes = read_returns(raw, str(file), data, today, default_author=lambda: author_of(root))
        del raw  # read: what the command holds while it records is the returns alone
        for note in notes:
            _out.echo(f"tracker: note: {note}", err=True)
        added = _context.record(ctx, rows, today)
        lags, withdrawn, n = added.database_lags, len(added.withdrawn), len(added.written)
        skipped = len(rows) - n - withdrawn
        del rows, added  # freed now, not scanned by the collector once it is back on
    _context.warn_if_lagging(lags)
    if withdrawn:
        _out.echo(
            f"tracker: note: {withdrawn} row{'s match' if withdrawn != 1 else ' matches'} entries withdrawn or corrected since:"
            " not added again",
            err=True,
        )
    _out.write_after_recording(clean(f"imported {n} return{'s' if n != 1 else ''} from {file}; {skipped} already recorded\n"))
