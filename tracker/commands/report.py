"""tracker report: every recommendation's standing on a date."""

# No `from __future__ import annotations`: typer reads the options' annotations as they are (see paper.py).
from typing import Annotated

import typer

from . import _context, _options, _out

app = typer.Typer()


@app.command()
def report(
    ctx: typer.Context,
    dept: _options.Dept = None,
    section: _options.Section = None,
    rag: Annotated[
        str | None,
        typer.Option(
            "--rag",
            help="Only those rated red, amber, green, complete or no-return.",
            autocompletion=_options.RATING_FILTERS,
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past their target date and not complete.")] = False,
    stale: Annotated[
        bool, typer.Option("--stale", help="Only those with an owner that has made no return in the window.")
    ] = False,
    as_of: _options.AsOf = None,
    roll_up: Annotated[
        bool,
        typer.Option(
            "--roll-up",
            help="Instead: each recommendation that items of another source deliver (a national one under local"
            " actions), rated from those items.",
        ),
    ] = False,
    format: Annotated[str, _options.format_option("text", "json", "csv")] = "text",
) -> None:
    """Report every recommendation's RAG rating, owners, target date and warnings."""
    from tracker.domain.rating import Rating
    from tracker.domain.standing import Filters
    from tracker.errors import DataError, UsageError

    conn = _context.database(ctx)
    if roll_up:
        if dept is not None or rag or overdue or stale:
            raise UsageError("--roll-up takes --section, --as-of and --format; the other filters are the report's own")
        _roll_up(ctx, conn, as_of, format, section)
        return
    data = _context.followed(ctx)
    day = _options.as_of_date(as_of, data)
    code = _options.department_code(data, dept, day) if dept is not None else None
    rating = None
    if rag and (rating := Rating.parse_filter(rag)) is None:
        raise DataError(f"--rag: {rag!r} is not a RAG rating: red, amber, green, complete or no-return")
    keep = Filters(code, section.strip() if section else None, rating, overdue, stale)
    shown = [s for s in _context.standings(conn, data, day) if keep.keep(s)]
    if format == "json":
        from tracker.output.jsonout import report_document, to_json

        _out.write(to_json(report_document(day, shown)))
    elif format == "csv":
        from tracker.output.csvout import report_csv

        _out.write(report_csv(shown))
    else:
        from tracker.output.plain import report_text

        _out.write_coloured(report_text(day, shown, data.reporting_window_days, _out.width(), data.rated_by, data.words))


def _roll_up(ctx: typer.Context, conn: object, as_of: str | None, format: str, section: str | None) -> None:
    from tracker.domain.recommendations import section_matches
    from tracker.domain.standing import roll_up

    data = _context.dataset(ctx)
    day = _options.as_of_date(as_of, data)
    rows = [
        r
        for r in roll_up(data, _context.standings(_context.database(ctx), data, day))
        if not section or section_matches(r.rec, section.strip())
    ]
    if format == "json":
        from tracker.output.jsonout import roll_up_document, to_json

        _out.write(to_json(roll_up_document(day, rows)))
    elif format == "csv":
        from tracker.output.csvout import roll_up_csv

        _out.write(roll_up_csv(rows))
    else:
        from tracker.output.plain import roll_up_text

        _out.write_coloured(roll_up_text(day, rows, _out.width()))
