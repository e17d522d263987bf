"""tracker trend: counts by headline rating at each board meeting (or quarter)."""

# No `from __future__ import annotations`: typer reads the options' annotations as they are (see paper.py).
from typing import Annotated

import typer

from . import _context, _options, _out

app = typer.Typer()


@app.command()
def trend(
    ctx: typer.Context,
    as_of: _options.AsOf = None,
    format: Annotated[str, _options.format_option("text", "json", "csv")] = "text",
) -> None:
    """Count recommendations by headline rating at each board meeting up to a date (else each quarter's end), and on it."""
    from tracker.domain.standing import points, summary

    conn = _context.database(ctx)
    data = _context.followed(ctx)
    day = _options.as_of_date(as_of, data)
    counts = [(when, summary(shown)) for when, shown in _context.standings_over(conn, data, points(data, day))]
    if format == "json":
        from tracker.output.jsonout import to_json

        document = {
            "as_of": day.isoformat(),
            "by": "meeting" if data.board.meetings else "quarter",
            "points": [{"date": when.isoformat(), **{r.value: n for r, n in c.items()}} for when, c in counts],
        }
        _out.write(to_json(document))
        return
    from tracker.domain.rating import Rating
    from tracker.output.plain import table

    headers = ["Date", *(r.word.capitalize() for r in Rating)]
    rows = [[when.isoformat(), *(str(c[r]) for r in Rating)] for when, c in counts]
    if format == "csv":
        from tracker.output.csvout import csv_text

        _out.write(csv_text(["date", *(r.value for r in Rating)], rows))
    else:
        by = "each board meeting" if data.board.meetings else "the end of each quarter"
        shown = table(headers, rows, _out.width(), flex=0, right=list(range(1, 6)))
        _out.write_coloured(f"Headline ratings at {by} before {day}, and on {day}\n\n" + shown)
