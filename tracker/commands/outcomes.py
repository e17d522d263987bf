"""tracker outcomes and tracker outcome add/import: the outcomes framework's measures, and recording their values."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import _context, _options, _out

if TYPE_CHECKING:
    from tracker.domain.outcomes import Framework, Value
    from tracker.recording import ValuesAdded

app = typer.Typer()
values = typer.Typer(
    name="outcome",
    help="Record the published values of the outcomes framework's measures (outcome_values.yaml).",
    no_args_is_help=True,
)
app.add_typer(values)


def _framework(ctx: typer.Context) -> Framework:
    from tracker import db
    from tracker.errors import UsageError

    framework = db.framework(_context.database(ctx))
    if framework is None:
        raise UsageError("this workspace has no outcomes.yaml; `tracker init` writes one with the national framework")
    return framework


@app.command()
def outcomes(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Show the values whose period had ended by this date, YYYY-MM-DD (default: today)."),
    ] = None,
    format: Annotated[str, _options.format_option("text", "json", "csv")] = "text",
) -> None:
    """Each measure of the outcomes framework by outcome: latest value against baseline and target, trend, on track."""
    from tracker import db
    from tracker.domain.outcomes import standings

    framework = _framework(ctx)
    day = _options.option_date(as_of, "--as-of", _context.today())
    found = standings(framework, db.measure_values(_context.database(ctx)), day)
    if format == "json":
        from tracker.output.jsonout import to_json
        from tracker.output.outcomes import outcomes_document

        _out.write(to_json(outcomes_document(framework, found, day)))
    elif format == "csv":
        from tracker.output.outcomes import outcomes_csv

        _out.write(outcomes_csv(found))
    else:
        from tracker.output.outcomes import outcomes_text

        _out.write(outcomes_text(framework, found, day))


@values.command("add")
def add(
    ctx: typer.Context,
    measure: Annotated[str, typer.Argument(help="The measure's code, as outcomes.yaml names it (tracker outcomes lists them).")],
    value: Annotated[str, typer.Option("--value", help="The value, a plain number in the measure's unit (3618, 40.7).")],
    period: Annotated[
        str,
        typer.Option("--period", help="What it is for: a year (2023), a financial year (2023/24), a month (2023-05) or a day."),
    ],
    source: Annotated[str, typer.Option("--source", help="Where it was published: an http(s) link.")],
    note: Annotated[
        str | None, typer.Option("--note", help="Anything the reader needs to know (provisional, England only).")
    ] = None,
) -> None:
    """Record one published value of a measure in outcome_values.yaml."""
    from tracker.domain.outcomes import Value, number_text, parse_number, parse_period
    from tracker.domain.values import excerpt, is_url
    from tracker.errors import DataError

    today = _context.today()
    try:
        begun = parse_period(period)[0]
    except ValueError as e:
        raise DataError(f"--period: {e}") from None
    if begun > today:
        raise DataError(f"--period: {period.strip()} has not begun on {today}; a value is recorded once it is published")
    try:
        number = parse_number(value)
    except ValueError as e:
        raise DataError(f"--value: {e}") from None
    if not is_url(source):
        raise DataError(f"--source: {excerpt(source)} is not an http(s) URL")
    for name, text in (("MEASURE", measure), ("--note", note or "")):
        if "\x00" in text or any(c in text for c in "\n\r"):
            raise DataError(f"{name}: holds a line break or a NUL character; give it on one line")
    given = Value(
        measure.strip(), period.strip(), number, source.strip(), today, " ".join((note or "").split()) or None, "", None
    )
    done = _record(ctx, [given])
    if done.written:
        v, line = done.written[0]
        _out.write_after_recording(f"recorded {v.measure} {v.period}: {number_text(v.value)} (outcome_values.yaml:{line})\n")
    else:
        _out.write_after_recording(
            f"{given.measure} {given.period}: {number_text(given.value)} is recorded already; nothing added\n"
        )


@values.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV file with the columns measure, period, value, source and (optional) note.")],
) -> None:
    """Import values from a CSV file: all rows or none; rows already recorded are skipped."""
    from tracker.csvio import read_outcome_values
    from tracker.output.text import clean
    from tracker.workspace import read

    raw, _ = read(file, str(file))
    rows = read_outcome_values(raw, str(file), _context.today())
    done = _record(ctx, rows)
    n = len(done.written)
    _out.write_after_recording(
        clean(f"imported {n} value{'s' if n != 1 else ''} from {file}; {len(done.skipped)} already recorded\n")
    )


def _record(ctx: typer.Context, given: list[Value]) -> ValuesAdded:
    from tracker.errors import release_interrupts
    from tracker.recording import add_outcome_values

    _framework(ctx)
    ctx.call_on_close(release_interrupts)
    done = add_outcome_values(_context.root(ctx), given, _context.today(), _context.database(ctx))
    _context.warn_if_lagging(done.database_lags)
    return done
