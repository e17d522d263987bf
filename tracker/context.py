"""What every command needs from its invocation: the workspace, today's date, a console."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from .domain import Dataset


def root(ctx: typer.Context) -> Path:
    from .workspace import find_root

    return find_root(ctx.find_root().obj)


def today() -> date:
    # The one place tracker asks the clock; everything below is given the date.
    return date.today()


def dataset(ctx: typer.Context) -> Dataset:
    from . import db

    conn = db.open_db(root(ctx))
    try:
        return db.dataset(conn)
    finally:
        conn.close()


def show(renderable: object) -> None:
    from .render import console

    console().print(renderable)
