"""tracker chase: who owes returns for the next board."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import _context, _options, _out

if TYPE_CHECKING:
    from datetime import date

    from tracker.output.chase import Owed

app = typer.Typer()


@app.command()
def chase(
    ctx: typer.Context,
    dept: Annotated[
        str | None,
        typer.Option("--dept", help="Only this department (a code, name or former name).", autocompletion=_options.DEPTS),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="The board's date, YYYY-MM-DD (default: its next meeting, else today)."),
    ] = None,
    letters: Annotated[
        Path | None,
        typer.Option(
            "--letters",
            help="Write a letter to each department that owes returns into this folder: CODE.md, or with"
            " --format docx or html, CODE.docx or CODE.html.",
            file_okay=False,
        ),
    ] = None,
    format: Annotated[str, _options.format_option("text", "markdown", "csv", "json", "docx", "html")] = "text",
) -> None:
    """List who owes returns for the next board; --format markdown --dept D is a request to send, --letters DIR one to each."""
    from tracker.domain.standing import owed
    from tracker.errors import UsageError
    from tracker.output.chase import Owed

    conn = _context.database(ctx)
    data = _context.followed(ctx)
    today = _context.today()
    day = _options.option_date(by, "--by", data.board.next_meeting(today) or today)
    meeting = day in data.board.meetings  # a board meets that day; else the returns are simply due by it
    due = data.board.returns_deadline(day) if meeting else day  # the window is counted to it, in the paper too
    code = _options.department_code(data, dept, day) if dept is not None else None
    owing = {
        c: Owed.grouped(items)
        for c, items in sorted(
            owed(_context.standings(conn, data, day), due, data.reporting_window_days).items(), key=lambda kv: kv[0].casefold()
        )
        if code is None or c == code
    }
    if letters is not None:
        _letters(ctx, letters, format, day, owing, meeting, due)
        return
    if format in ("docx", "html"):
        raise UsageError(f"--format {format} writes letters: give --letters DIR")
    if code is not None and not owing and format in ("text", "markdown"):
        via = sorted({o.reports_via for r in data.recommendations for o in r.owners if o.dept == code and o.reports_via})
        made_by = f"; its returns are made by {', '.join(via)}" if via else ""
        when = f"the board on {day} (due by {due})" if meeting else f"the board on {day}"
        _out.write(f"{code} owes no returns for {when}{made_by}\n")
        return
    if format == "json":
        from tracker.output.chase import chase_document
        from tracker.output.jsonout import to_json

        _out.write(to_json(chase_document(day, owing, data, today, due)))
    elif format == "csv":
        from tracker.output.chase import chase_csv

        _out.write(chase_csv(due, owing, today))
    elif format == "markdown":
        from tracker.output.chase import chase_letter
        from tracker.output.markdown import render

        if code is None:
            raise UsageError("--format markdown writes a request to one department: name it with --dept")
        _out.write(render(chase_letter(day, code, owing[code], data, meeting, due, today)))
    else:
        from tracker.output.chase import chase_text

        _out.write(chase_text(day, owing, data.reporting_window_days, _out.width(), today, meeting, due, data.words))


# Each letter's format, by --format: its file's extension.
_LETTERS = {"text": "md", "markdown": "md", "docx": "docx", "html": "html"}


def _letters(
    ctx: typer.Context, folder: Path, format: str, day: date, owing: dict[str, list[Owed]], meeting: bool, due: date
) -> None:
    """Write a request to each department in `owing` into `folder` (made if it is not there), one
    file each, atomically; say what was written."""
    from tracker.errors import DataError, UsageError
    from tracker.output.chase import chase_letter
    from tracker.output.text import count

    from ._out import Out

    kind = _LETTERS.get(format)
    if kind is None:
        raise UsageError(f"--letters writes markdown, docx or html letters, not {format}")
    data = _context.followed(ctx)
    from tracker.workspace import refuse_record

    refuse_record(_context.root(ctx), folder, "--letters")  # before the folder is made: status/x would break the record
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        raise DataError(f"--letters: cannot make the folder {folder}: {e.strerror or e}") from None
    if not folder.is_dir():
        raise DataError(f"--letters: {folder} is not a folder")
    from .paper import render  # a letter is rendered as the paper is, in the format asked for

    for code, items in owing.items():
        letter = chase_letter(day, code, items, data, meeting, due, _context.today())
        Out.of(folder / f"{code}.{kind}", "--letters").write(ctx, render(kind, letter, day))
    if not owing:
        _out.echo("Nobody owes a return: no letter written")
        return
    returns = sum(len(item.owners) for items in owing.values() for item in items)
    _out.echo(f"{count(len(owing), 'letter')} asking for {count(returns, 'return')}, in {folder}")
