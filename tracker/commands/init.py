"""tracker init: a new workspace with the default data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import _common

app = typer.Typer()


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")]) -> None:
    """Create a new workspace holding the review's 32 recommendations."""
    from tracker.workspace import init as create

    for path in create(directory):
        _common.echo(f"created {path}")
    _common.echo(f"\nNext: cd {directory} && git init && tracker check")
