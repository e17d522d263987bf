"""Commands that report where the recommendations stand: report and paper."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import context
from .errors import DataError, NotFound

if TYPE_CHECKING:
    from .domain import Dataset
    from .status import Filters, RecommendationStatus


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _day(text: str | None, option: str, default: date) -> date:
    from .domain import parse_iso_date

    if text is None:
        return default
    day = parse_iso_date(text)
    if day is None:
        raise DataError(f"{option}: {text!r} is not a real date written YYYY-MM-DD")
    return day


def _rag_filter(text: str) -> str:
    from .status import NO_RETURN
    from .updates import parse_rag

    if text.strip().casefold().replace("-", " ").replace("_", " ") in ("no return", "none", "n"):
        return NO_RETURN
    rag = parse_rag(text)
    if rag is None:
        raise DataError(f"--rag: {text!r} is not a RAG rating: red, amber, green, complete or no-return")
    return rag.value


def _load(ctx: typer.Context, as_of: date) -> tuple[Dataset, list[RecommendationStatus]]:
    from . import db

    conn = db.open_db(context.root(ctx))
    try:
        data = db.dataset(conn)
        return data, db.statuses(conn, data, as_of)
    finally:
        conn.close()


def _filters(
    data: Dataset, as_of: date, dept: str | None, section: str | None, rag: str | None, overdue: bool, stale: bool
) -> Filters:
    from .status import Filters

    code = None
    if dept is not None:
        found = data.registry.resolve(dept)
        if found is None:
            raise NotFound(f"--dept: unknown department {dept!r}; known codes: {', '.join(data.registry.departments)}")
        code = data.registry.current(found.code, as_of).code
    return Filters(code, section.strip() if section else None, _rag_filter(rag) if rag else None, overdue, stale)


def report(
    ctx: typer.Context,
    dept: Annotated[
        str | None, typer.Option("--dept", help="Only those this department owns (a code, name or former name).")
    ] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only this section of the review: 3 or 3.11.")] = None,
    rag: Annotated[str | None, typer.Option("--rag", help="Only those rated red, amber, green, complete or no-return.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past their target date and not complete.")] = False,
    stale: Annotated[
        bool, typer.Option("--stale", help="Only those with an owner that has made no return in the window.")
    ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Report as things stood on this date (default: today).")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", help="table, json or csv.")] = ReportFormat.table,
) -> None:
    """Report every recommendation's RAG rating, owners, target date and warnings."""
    from .status import summary

    day = _day(as_of, "--as-of", context.today())
    data, statuses = _load(ctx, day)
    keep = _filters(data, day, dept, section, rag, overdue, stale)
    shown = [s for s in statuses if keep.keep(s)]
    if format is ReportFormat.json:
        from . import output

        sys.stdout.write(output.to_json(output.report_document(day, shown)))
    elif format is ReportFormat.csv:
        from . import output

        sys.stdout.write(output.report_csv(shown))
    else:
        from .render import report_table

        context.show(report_table(day, shown, summary(shown), data.reporting_window_days))


def paper(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The date the paper reports on (default: today).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="The last board's date (default: one reporting window earlier).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the paper to this file (atomically) instead of stdout.")
    ] = None,
) -> None:
    """Write the board paper in markdown: summary, exceptions, decisions, appendices."""
    from . import db
    from .paper import board_paper

    root = context.root(ctx)
    conn = db.open_db(root)
    try:
        data = db.dataset(conn)
        day = _day(as_of, "--as-of", context.today())
        before = _day(since, "--since", day - timedelta(days=data.reporting_window_days))
        if before >= day:
            raise DataError(f"--since: {before} is not before the paper's date {day}")
        text = board_paper(data, day, db.statuses(conn, data, day), before, db.statuses(conn, data, before))
    finally:
        conn.close()
    if out is None:
        sys.stdout.write(text)
        return
    from .workspace import write_atomic

    write_atomic(out, text.encode("utf-8"))
    typer.echo(f"wrote {out}", err=True)
