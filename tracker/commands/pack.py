"""tracker pack: a department's return pack, to fill in and send back for `tracker import`."""

# No `from __future__ import annotations`: typer reads the options' annotations as they are (see paper.py).
from pathlib import Path
from typing import Annotated

import typer

from . import _context, _options
from ._out import Out

app = typer.Typer()


@app.command()
def pack(
    ctx: typer.Context,
    dept: Annotated[
        str, typer.Option("--dept", help="The department (a code, name or former name).", autocompletion=_options.DEPTS)
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="FILE.xlsx (a workbook) or FILE.csv; without it, CSV on stdout.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write over a file that is there already (it may be a pack filled in).")
    ] = False,
) -> None:
    """Write a department's return pack: a row per recommendation it owns or reports for, to fill in."""
    from tracker.errors import UsageError
    from tracker.packs import Row, write_csv

    conn, today = _context.database(ctx), _context.today()
    data = _context.followed(ctx)
    code = _options.department_code(data, dept, today)
    rows = []
    for s in _context.standings(conn, data, today):
        for o in s.owners:
            if (o.dept == code and not o.via) or o.via == code:  # a body that reports via another is in its pack
                role = f"{o.role} for {o.dept}" if o.dept != code else o.role
                rows.append(Row(s.rec.number if not s.rec.ref else s.rec.ref, o.dept, s.rec.title, role, s.target_date, o.latest))
    if not rows:
        via = sorted({o.reports_via for r in data.recommendations for o in r.owners if o.dept == code and o.reports_via})
        if via:
            raise UsageError(f"--dept: {code}'s returns are made by {', '.join(via)}: its rows are in {via[0]}'s pack")
        raise UsageError(f"--dept: {code} owns no recommendation and reports for none; there is nothing to ask it")
    to = Out.of(out)
    if out is not None and not force and out.is_file() and not to.terminal:
        raise UsageError(
            f"--out: {out} is there already, and may be a pack a department has filled in: import it first, or give"
            " --force to write a new one over it"
        )
    kind = to.format(None, {".xlsx": "xlsx", ".csv": "csv"}, "csv", ".xlsx (a workbook) or .csv", option=False)
    content: str | bytes
    if kind == "xlsx":
        from tracker.packs import write_xlsx

        by = data.board.next_meeting(today)
        content = write_xlsx(
            rows,
            code,
            data.registry.departments[code].name,
            str(by) if by else "its next meeting",
            (data.words.item, data.words.owner),
        )
    else:
        content = write_csv(rows).decode("utf-8")
    n = len(rows)
    to.write(ctx, content, f": {n} row{'s' if n != 1 else ''} for {code} to fill in")
