"""tracker chase: who owes returns for the next board."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _context, _options, _out

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
    format: Annotated[str, _options.format_option("text", "markdown", "csv", "json")] = "text",
) -> None:
    """List who owes returns for the next board; --format markdown --dept D is a request to send."""
    from tracker.domain.standing import owed
    from tracker.errors import UsageError
    from tracker.output.chase import Owed

    conn = _context.database(ctx)
    data = _context.dataset(ctx)
    today = _context.today()
    day = _options.option_date(by, "--by", data.board.next_meeting(today) or today)
    meeting = day in data.board.meetings  # a board meets that day; else the returns are simply due by it
    code = _options.department_code(data, dept, day) if dept is not None else None
    owing = {
        c: Owed.grouped(items)
        for c, items in sorted(owed(_context.standings(conn, data, day)).items(), key=lambda kv: kv[0].casefold())
        if code is None or c == code
    }
    if code is not None and not owing and format in ("text", "markdown"):
        via = sorted({o.reports_via for r in data.recommendations for o in r.owners if o.dept == code and o.reports_via})
        made_by = f"; its returns are made by {', '.join(via)}" if via else ""
        _out.write(f"{code} owes no returns for the board on {day}{made_by}\n")
        return
    if format == "json":
        from tracker.output.chase import chase_document
        from tracker.output.jsonout import to_json

        _out.write(to_json(chase_document(day, owing, data, today)))
    elif format == "csv":
        from tracker.output.chase import chase_csv

        _out.write(chase_csv(day, owing, today))
    elif format == "markdown":
        from tracker.output.chase import chase_request

        if code is None:
            raise UsageError("--format markdown writes a request to one department: name it with --dept")
        _out.write(chase_request(day, code, owing[code], data, meeting))
    else:
        from tracker.output.chase import chase_text

        _out.write(chase_text(day, owing, data.reporting_window_days, _out.width(), today, meeting))
