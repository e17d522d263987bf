"""tracker departments: the department registry."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _context, _options, _out

app = typer.Typer()


@app.command()
def departments(
    ctx: typer.Context,
    format: Annotated[str, _options.format_option("text", "json")] = "text",
) -> None:
    """List the department registry, its renames and mergers."""
    data, today = _context.dataset(ctx), _context.today()
    if format == "json":
        from tracker.output.jsonout import department_dict, to_json

        _out.write(to_json({"departments": [department_dict(data, d, today) for d in data.registry.departments.values()]}))
    else:
        from tracker.output.detail import departments_text

        _out.write_coloured(departments_text(data, today, _out.width()))
