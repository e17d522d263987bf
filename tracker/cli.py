"""The command line: parse, call, render, exit. Heavy imports happen inside the commands."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from . import __version__, context, reports, returns
from .errors import ExitCode, TrackerError

if TYPE_CHECKING:
    from .domain import Dataset, Department, Problem


class _Group(TyperGroup):
    """The one error boundary: a TrackerError becomes one line on stderr and its exit code."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except TrackerError as e:
            typer.echo(f"tracker: error: {e}", err=True)
            ctx.exit(e.exit_code)


app = typer.Typer(
    cls=_Group,
    name="tracker",
    help="Follow up the recommendations of Dame Carol Black's Review of drugs part two.",
    # Plain help (no rich) keeps every command fast to start; we print our own errors.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)


class CheckFormat(str, Enum):
    text = "text"
    github = "github"
    json = "json"


class ListFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(str, Enum):
    text = "text"
    json = "json"


class TableFormat(str, Enum):
    table = "table"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tracker {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root", help="Workspace folder (default: TRACKER_ROOT, else the nearest folder upwards with recommendations.yaml)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = root


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")]) -> None:
    """Create a new workspace holding the review's 32 recommendations."""
    from .workspace import init as create

    for path in create(directory):
        typer.echo(f"created {path}")
    typer.echo(f"\nNext: cd {directory} && git init && tracker check")


@app.command()
def check(
    ctx: typer.Context,
    format: Annotated[
        CheckFormat, typer.Option("--format", help="text, github (workflow annotations) or json.")
    ] = CheckFormat.text,
) -> None:
    """Validate the data: exit 1 if a rule is broken, 3 if a file is unreadable."""
    from . import db

    root, today = context.root(ctx), context.today()
    counts = db.loaded_unchanged(root, today)
    if counts is not None:
        _report_problems([], format, counts)
        raise typer.Exit(ExitCode.OK)

    from . import sources

    findings, counts = sources.check_workspace(root, today)
    _report_problems(findings, format, counts)
    if any(fatal for _, fatal in findings):
        raise typer.Exit(ExitCode.DATA)
    raise typer.Exit(ExitCode.PROBLEMS if findings else ExitCode.OK)


def _report_problems(findings: list[tuple[Problem, bool]], format: CheckFormat, counts: dict[str, int]) -> None:
    from . import output

    if format is CheckFormat.json:
        document = {
            "ok": not findings,
            **counts,
            "problems": [output.problem_dict(p, fatal) for p, fatal in findings],
        }
        sys.stdout.write(output.to_json(document))
        return
    for p, fatal in findings:
        typer.echo(output.github_annotation(p) if format is CheckFormat.github else p.describe())
        if fatal and format is CheckFormat.github:
            typer.echo(p.describe(), err=True)
    if findings:
        typer.echo(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found", err=True)
    else:
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        typer.echo(f"ok: {summary}, no problems")


@app.command("list")
def list_(
    ctx: typer.Context,
    dept: Annotated[
        str | None, typer.Option("--dept", help="Only those this department owns (a code, name or former name).")
    ] = None,
    section: Annotated[str | None, typer.Option("--section", help="Only this section of the review: 3 or 3.11.")] = None,
    format: Annotated[ListFormat, typer.Option("--format", help="table, json or csv.")] = ListFormat.table,
) -> None:
    """List the recommendations with their owners and deadlines."""
    from .domain import owned_by, section_matches

    data, today = context.dataset(ctx), context.today()
    recs = list(data.recommendations)
    if dept is not None:
        wanted = _department(data, dept)
        recs = [r for r in recs if owned_by(r, data.registry, wanted, today)]
    if section is not None:
        recs = [r for r in recs if section_matches(r, section.strip())]
    if format is ListFormat.json:
        from . import output

        sys.stdout.write(output.to_json({"recommendations": [output.recommendation_dict(data, r, today) for r in recs]}))
    elif format is ListFormat.csv:
        from . import output

        sys.stdout.write(output.recommendations_csv(data, recs, today))
    else:
        import shutil

        from . import output

        width = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
        sys.stdout.write(output.recommendations_listing(data, recs, today, width))


def _department(data: Dataset, text: str) -> Department:
    from .errors import NotFound

    found = data.registry.resolve(text)
    if found is None:
        codes = ", ".join(data.registry.departments)
        raise NotFound(f"unknown department {text!r}; known codes: {codes}")
    return found


@app.command()
def show(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The recommendation's number, 1 to 32.")],
    format: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
) -> None:
    """Show one recommendation: text, owners, deadline, response, returns."""
    from . import db
    from .errors import NotFound

    today = context.today()
    conn = db.open_db(context.root(ctx))
    try:
        data, updates = db.dataset(conn), db.updates(conn, recommendation=number)
    finally:
        conn.close()
    rec = next((r for r in data.recommendations if r.number == number), None)
    if rec is None:
        numbers = [r.number for r in data.recommendations]
        raise NotFound(
            f"recommendation {number} does not exist (there are {min(numbers)} to {max(numbers)})"
            if numbers
            else f"recommendation {number} does not exist"
        )
    if format is ShowFormat.json:
        from . import output

        sys.stdout.write(output.to_json(output.recommendation_dict(data, rec, today, updates=updates)))
    else:
        from .render import recommendation_detail

        context.show(recommendation_detail(data, rec, updates, today))


@app.command()
def departments(
    ctx: typer.Context,
    format: Annotated[TableFormat, typer.Option("--format", help="table or json.")] = TableFormat.table,
) -> None:
    """List the department registry, its renames and mergers."""
    data, today = context.dataset(ctx), context.today()
    if format is TableFormat.json:
        from . import output

        sys.stdout.write(
            output.to_json({"departments": [output.department_dict(data, d, today) for d in data.registry.departments.values()]})
        )
    else:
        from .render import departments_table

        context.show(departments_table(data, today))


@app.command()
def load(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build tracker.db from scratch instead of syncing what changed.")
    ] = False,
) -> None:
    """Bring tracker.db in line with the YAML (or rebuild it)."""
    from . import db

    root = context.root(ctx)
    conn = db.rebuild(root) if rebuild else db.open_db(root)
    try:
        counts = db.counts(conn)
    finally:
        conn.close()
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    typer.echo(f"{root / db.DB_NAME}: {'rebuilt' if rebuild else 'in sync'}: {summary}")


app.command("report")(reports.report)
app.command("paper")(reports.paper)
app.command("update")(returns.update)
app.command("export")(returns.export)
app.command("import")(returns.import_)


def main() -> None:
    app()
