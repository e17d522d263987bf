"""tracker departments: the department registry."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from . import _common

app = typer.Typer()


class TableFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def departments(
    ctx: typer.Context,
    format: Annotated[TableFormat, typer.Option("--format", help="table or json.")] = TableFormat.table,
) -> None:
    """List the department registry, its renames and mergers."""
    data, today = _common.dataset(ctx), _common.today()
    if format is TableFormat.json:
        from tracker.output.jsonout import department_dict, to_json

        _common.write(to_json({"departments": [department_dict(data, d, today) for d in data.registry.departments.values()]}))
    else:
        from tracker.output.terminal import departments_table

        _common.show(departments_table(data, today))
