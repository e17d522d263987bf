"""tracker paper: the board paper."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from . import _common

app = typer.Typer()

_FROM_BOARD = "(default: the board: block in recommendations.yaml)"
_FORMATS = {".md": "md", ".markdown": "md", ".txt": "md", ".docx": "docx", ".html": "html", ".htm": "html"}


@app.command()
def paper(
    ctx: typer.Context,
    as_of: _common.AsOf = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="The last board's date (default: the meeting before, else one reporting window earlier)."),
    ] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="The meeting's date (default: the board's next meeting, else --as-of).")
    ] = None,
    board: Annotated[str | None, typer.Option("--board", help=f"The board's name {_FROM_BOARD}.")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help=f"The paper's reference {_FROM_BOARD}.")] = None,
    author: Annotated[str | None, typer.Option("--author", help=f"The paper's author {_FROM_BOARD}.")] = None,
    classification: Annotated[
        str | None, typer.Option("--classification", help=f"Its security classification, e.g. OFFICIAL {_FROM_BOARD}.")
    ] = None,
    format: Annotated[
        str | None,
        _common.format_option("md", "docx", "html", help="md, docx (Word) or html (default: from --out's extension, else md)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the paper to this file (atomically) instead of stdout.")
    ] = None,
) -> None:
    """Write the board paper (markdown, Word or HTML): summary, exceptions, chasing, decisions, appendices."""
    from tracker import db
    from tracker.errors import DataError, UsageError
    from tracker.output.paper import CHARTED, Details, board_paper, dashboard

    if out is not None and _common.names_stdout(out):
        out = None
    suffix = Path("paper" + out.name).suffix.lower() if out is not None else ""  # `.docx` alone is a docx
    named = _FORMATS.get(suffix)
    if named is None and suffix and format is None:
        raise UsageError(f"--out: {suffix} is not a format tracker writes; name the file .md, .docx or .html, or give --format")
    if format is not None and named is not None and named != format:
        raise UsageError(f"--format {format}: --out {out} is named as a {named} file")
    kind = format or named or "md"
    terminal = sys.stdout.isatty() if out is None else _common.is_terminal(out)
    if kind == "docx" and terminal:
        raise UsageError("a Word document is not for the terminal; give --out FILE.docx, or send it to a file or a pipe")

    conn = _common.database(ctx)
    data = db.dataset(conn)
    day = _common.as_of_date(as_of, data)
    held = _common.option_date(meeting, "--meeting", day) if meeting is not None else data.board.next_meeting(day)
    previous = data.board.previous_meeting(min(day, held or day))
    before = _common.option_date(since, "--since", previous or day - timedelta(days=data.reporting_window_days))
    if before >= day:
        raise DataError(f"--since: {before} is not before the paper's date {day}")
    from tracker.domain.values import not_utf8

    for name, value in (
        ("--board", board),
        ("--reference", reference),
        ("--author", author),
        ("--classification", classification),
    ):
        if value is not None and (bad := not_utf8(value)) is not None:
            raise DataError(f"{name}: holds bytes that are not UTF-8 text ({bad}); give it in UTF-8")
    details = Details.of(
        data.board,
        held,
        since is None and previous is not None,
        board=board,
        reference=reference,
        author=author,
        classification=classification,
    )
    every: list[date] = []
    if kind != "md":  # the Word and HTML papers open with the dashboard: the trend at each past board
        from tracker.domain.standing import points

        every = points(data, day)
    charted = every[-CHARTED:]
    on = dict(_common.standings_over(conn, data, [day, before, *charted]))  # every date in one look at the database
    now = on[day]
    shown = dashboard(data, [(when, on[when]) for when in charted], now, len(every) - len(charted)) if every else None
    made = board_paper(
        data,
        day,
        now,
        before,
        on[before],
        details,
        db.arrived(conn, before, day),
        db.trail(conn, since=before, until=day),
        shown,
    )
    if kind == "docx":
        from tracker.output.word import render as word

        document = word(made, day)
    elif kind == "html":
        from tracker.output.html import render as page

        document = page(made).encode("utf-8")
    else:
        from tracker.output.markdown import render as markdown

        document = markdown(made).encode("utf-8")
    if out is None:
        if kind == "docx":
            sys.stdout.buffer.write(document)
        else:
            _common.write(document.decode("utf-8"))
        return
    if terminal:  # a terminal named as a file gets what stdout would: text neutralised
        from tracker.output.text import clean

        document = clean(document.decode("utf-8")).encode("utf-8")
    from tracker.workspace import write_out

    write_out(_common.root(ctx), out, document, "--out")
    _common.echo(f"wrote {out}", err=True)
