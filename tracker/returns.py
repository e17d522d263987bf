"""Commands that record departments' returns: update, export and import."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import context
from .errors import DataError, ExitCode, NotFound, TrackerError, UsageError

if TYPE_CHECKING:
    from .db import Connection, Fingerprint
    from .domain import Dataset, Recommendation
    from .updates import StatusUpdate


class Interrupted(TrackerError):
    exit_code = ExitCode.INTERRUPTED


class ExportFormat(str, Enum):
    csv = "csv"


def _ask(label: str, choices: list[str] | None = None, default: str | None = None) -> str:
    """Ask at the terminal; Ctrl-C or end of input abandons the command with nothing written."""
    hint = f" ({', '.join(choices)})" if choices else ""
    try:
        answer: str = typer.prompt(f"{label}{hint}", default=default, show_default=default is not None)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        raise Interrupted("interrupted; nothing was recorded") from None
    return answer.strip()


def _missing(option: str, choices: str) -> UsageError:
    return UsageError(f"{option} is required when not at a terminal ({choices})")


def _date(text: str, option: str) -> date:
    from .domain import parse_iso_date

    day = parse_iso_date(text)
    if day is None:
        raise DataError(f"{option}: {text!r} is not a real date written YYYY-MM-DD")
    return day


def _author(root: Path) -> str:
    import getpass
    import os
    import subprocess

    if os.environ.get("TRACKER_AUTHOR"):
        return os.environ["TRACKER_AUTHOR"].strip()
    try:
        name = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or getpass.getuser()


def update(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The recommendation's number.")],
    dept: Annotated[
        str | None, typer.Option("--dept", help="The department making the return: a code, name or former name.")
    ] = None,
    rag: Annotated[str | None, typer.Option("--rag", help="red, amber, green or complete; or R, A, G, C (B for blue).")] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What has been done, in the department's words.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Date of the return, YYYY-MM-DD (default: today).")] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="Who recorded it (default: TRACKER_AUTHOR, git user.name, login).")
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="A link to evidence (http or https); repeatable.")
    ] = None,
    target_date: Annotated[
        str | None, typer.Option("--target-date", help="A revised target date, YYYY-MM-DD (needs --reason).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the target date moved.")] = None,
) -> None:
    """Record a department's status return on recommendation N."""
    from . import db
    from .updates import RAG_CHOICES, StatusUpdate, filer, filing_codes, parse_rag

    root, today = context.root(ctx), context.today()
    conn = db.open_db(root)
    data = db.dataset(conn)
    rec = _recommendation(data, number)
    at_terminal = sys.stdin.isatty()

    day = _date(on, "--date") if on else today
    if dept is None:
        owners = filing_codes(rec, data.registry, day)
        if not at_terminal:
            raise _missing("--dept", f"recommendation {number} is owned by {', '.join(owners)}")
        dept = _ask("Department", owners, owners[0] if len(owners) == 1 else None)
    try:
        code = filer(data, rec, dept, day)
    except TrackerError as e:
        e.message = f"--dept: {e.message}"
        raise
    if rag is None:
        if not at_terminal:
            raise _missing("--rag", RAG_CHOICES)
        rag = _ask("RAG", ["red", "amber", "green", "complete"])
    rating = parse_rag(rag)
    if rating is None:
        raise DataError(f"--rag: {rag!r} is not a RAG rating: {RAG_CHOICES}")
    if summary is None:
        if not at_terminal:
            raise _missing("--summary", "what has been done, in the department's words")
        summary = _ask("Summary")
    new = StatusUpdate(
        recommendation=number,
        dept=code,
        date=day,
        rag=rating,
        summary=summary.strip(),
        author=(author or _author(root)).strip(),
        evidence=tuple(url.strip() for url in evidence or ()),
        target_date=_date(target_date, "--target-date") if target_date else None,
        reason=reason.strip() if reason and reason.strip() else None,
        file=f"status/{code}.yaml",
    )
    conn.close()
    recorded = record(root, [new], today)
    _print_recorded(data, recorded[0] if recorded else None)


def _recommendation(data: Dataset, number: int) -> Recommendation:
    rec = next((r for r in data.recommendations if r.number == number), None)
    if rec is None:
        raise NotFound(f"recommendation {number} does not exist")
    return rec


def _check(updates: list[StatusUpdate], data: Dataset, today: date) -> None:
    from .domain import is_url
    from .updates import check_update

    for update in updates:
        if not update.summary:
            raise DataError("--summary: is empty; say what has been done")
        if not update.author:
            raise DataError("--author: is empty")
        for url in update.evidence:
            if not is_url(url):
                raise DataError(f"--evidence: {url!r} is not an http(s) URL")
        problems = check_update(update, data, today)
        if problems:
            p = problems[0]
            raise DataError(f"--{(p.field or 'date').replace('_', '-')}: {p.message}")


def record(root: Path, new: list[StatusUpdate], today: date) -> list[StatusUpdate]:
    """Append returns to their departments' files and to the database, under the workspace lock.

    Returns already recorded are skipped; the ones written are returned with their lines.
    """
    from . import db, writer
    from .updates import StatusUpdate
    from .workspace import lock

    with lock(root):
        conn = db.open_db(root)  # in line with anything written while this command waited
        try:
            data = db.dataset(conn)
            _check(new, data, today)
            by_file: dict[str, list[StatusUpdate]] = {}
            for update in new:
                by_file.setdefault(update.file, []).append(update)
            written: list[StatusUpdate] = []
            for name, updates in by_file.items():
                fresh, keys = [], set()
                for u in updates:
                    if u.key() not in keys and not db.is_recorded(conn, u):
                        keys.add(u.key())
                        fresh.append(u)
                if not fresh:
                    continue
                path = root / name
                blocks = [writer.format_update(u) for u in fresh]
                before, lines, after_lines = _append(conn, root, name, data, blocks)
                placed = [StatusUpdate(**{**u.__dict__, "line": line}) for u, line in zip(fresh, lines, strict=True)]
                db.record(conn, root, name, before, db.file_fingerprint(path), after_lines, placed)
                written.extend(placed)
        finally:
            conn.close()
    return written


def _append(
    conn: Connection, root: Path, name: str, data: Dataset, blocks: list[str]
) -> tuple[Fingerprint | None, list[int], int]:
    """Append `blocks` to status file `name`: its fingerprint before, the blocks' lines, its line ends after."""
    from . import db, writer
    from .workspace import append_atomic, write_atomic

    path = root / name
    path.parent.mkdir(exist_ok=True)
    if path.exists():
        before = db.file_fingerprint(path)
        newlines = db.stored_lines(conn, name, before)
        if newlines is not None:  # the database knows this file as it is: no need to read it
            with open(path, "rb") as f:
                ends_with_newline = f.seek(0, os.SEEK_END) == 0 or (f.seek(-1, os.SEEK_END) >= 0 and f.read(1) == b"\n")
            added, lines = writer.addition(ends_with_newline, newlines, blocks)
            append_atomic(path, added)
            return before, lines, newlines + added.count(b"\n")
        existing, before = db.read_file(path, name)
    else:
        existing, before = None, None
    code = path.stem
    content, lines = writer.appended(existing, writer.status_header(code, data.registry.departments[code].name), blocks)
    write_atomic(path, content)
    return before, lines, content.count(b"\n")


def _print_recorded(data: Dataset, update: StatusUpdate | None) -> None:
    if update is None:
        typer.echo("already recorded: nothing was added")
        return
    from .output import recorded

    sys.stdout.write(recorded(data, update))


def export(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", help="csv: the columns `tracker import` reads.")] = ExportFormat.csv,
) -> None:
    """Write every status return as CSV, in the columns `tracker import` reads."""
    from . import csvio, db

    conn = db.open_db(context.root(ctx))
    try:
        sys.stdout.write(csvio.write_updates(db.updates(conn)))
    finally:
        conn.close()


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV file in the columns `tracker export` writes.", dir_okay=False)],
) -> None:
    """Import returns from a CSV file: all rows or none; rows already recorded are skipped."""
    from . import csvio, db

    root, today = context.root(ctx), context.today()
    conn = db.open_db(root)
    try:
        data = db.dataset(conn)
    finally:
        conn.close()
    rows = csvio.read_updates(file, data, today, default_author=lambda: _author(root))
    written = record(root, rows, today)
    skipped = len(rows) - len(written)
    typer.echo(f"imported {len(written)} return{'s' if len(written) != 1 else ''} from {file}; {skipped} already recorded")
