"""Recording returns: appending them to their departments' status files and to tracker.db.

Under the workspace lock, every return is checked, each status file's new version is prepared
beside it, and all are put in place together (workspace.commit: all or nothing, even when
killed); then the database is told. The status files are the record: once they hold the returns,
the returns are recorded, whatever happens to the database.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import NamedTuple

from . import db, workspace
from .domain.corrections import Correction, apply
from .domain.problem import Problem
from .domain.returns import Return, check_return, code_of_file
from .errors import DataError, Interrupted, TrackerError, from_machine, hold_interrupts
from .sync import Fingerprint, file_fingerprint, open_synced, sync_files, write_standing


@dataclass(frozen=True)
class Added:
    """What add_returns did: the returns it wrote, and why tracker.db lags behind them, if it does."""

    returns: list[Return | Correction]
    database_lags: str | None = None
    withdrawn: list[Return] = field(default_factory=list)  # the same as returns withdrawn or corrected: not added again


def add_returns(root: Path, new: Sequence[Return | Correction], today: date) -> Added:
    """Append returns to their departments' status files and to the database, under the workspace lock.

    Every return is checked before anything is written, and returns already recorded are
    skipped. The status files are the record: once a return is in its file it is recorded, and a
    database that cannot take it is left to the next command to bring in line (`database_lags`).
    A failure before that raises, saying that nothing was recorded.
    """
    from .yamlio.blocks import file_header

    written: list[Return | Correction] = []
    lags: str | None = None
    if _all_recorded(root, new, today):  # nothing to write: no lock to wait for (a pack imported twice)
        return Added([])
    try:
        with workspace.lock(root), closing(open_synced(root, today)) as conn:  # in line with anything written while this waited
            data = db.dataset(conn)
            for ret in new:  # checked again: the data may have changed while this waited for the lock
                if isinstance(ret, Correction):
                    outcome = apply(ret, partial(db.in_force, conn, ret.file), data, today)
                    if isinstance(outcome, Problem):
                        raise DataError(outcome.message)
                    continue
                problems = check_return(ret, data, today)
                if problems:
                    raise DataError(problems[0].detail())
            keys, gone = _recorded(conn, new)
            by_file: dict[str, list[Return | Correction]] = {}
            withdrawn: list[Return] = []
            for ret in new:
                if isinstance(ret, Return) and ret.key() in gone and ret.key() not in keys:
                    withdrawn.append(gone[ret.key()])
                elif ret.key() not in keys:
                    keys.add(ret.key())
                    by_file.setdefault(ret.file, []).append(ret)
            prepared: list[tuple[str, list[Return | Correction], Fingerprint | None, _Prepared]] = []
            known = db.loaded_files(conn)
            try:
                for name, returns in by_file.items():
                    path = root / name
                    before = loaded = None
                    if path.exists():
                        before = file_fingerprint(path, name)
                        old = known.get(name)
                        loaded = old if old is not None and old.fingerprint == before else None
                    code = code_of_file(name)
                    header = file_header(code, data.registry.departments[code].name if code else "")
                    prepared.append((name, returns, before, _prepare(conn, path, name, returns, header, loaded)))
                hold_interrupts()  # released when the command ends
                workspace.commit(root, [(p.tmp, root / name) for name, _, _, p in prepared])
            except BaseException:
                for *_, p in prepared:
                    p.tmp.unlink(missing_ok=True)
                raise
            for name, returns, before, p in prepared:  # recorded: now tell the database
                placed = [replace(r, line=line) for r, line in zip(returns, p.lines, strict=True)]
                written.extend(placed)
                after = db.LoadedFile(file_fingerprint(root / name, name), None, p.line_ends)
                if lags is None:
                    # A correction changes entries already loaded: the file is read again instead.
                    unchanged = None if p.rewritten or any(isinstance(e, Correction) for e in placed) else before
                    lags = _note_appended(conn, root, name, unchanged, after, placed, today)
    except KeyboardInterrupt:
        raise Interrupted("interrupted; nothing was recorded") from None
    except Exception as e:
        failure = e if isinstance(e, TrackerError) else from_machine(e)
        if failure is None:
            raise
        raise TrackerError(f"{failure}; nothing was recorded", exit_code=failure.exit_code) from None
    return Added(written, lags, withdrawn)


def _all_recorded(root: Path, new: Sequence[Return | Correction], today: date) -> bool:
    """Whether every one of `new` is a return its file already holds (checked again under the lock if not)."""
    if any(isinstance(r, Correction) for r in new):
        return False
    if not new:
        return True
    with closing(open_synced(root, today)) as conn:
        keys, _ = _recorded(conn, new)
    return all(r.key() in keys for r in new)


def _recorded(
    conn: db.Connection, new: Sequence[Return | Correction]
) -> tuple[set[tuple[object, ...]], dict[tuple[object, ...], Return]]:
    """What the files `new` goes into already hold, read once per file (a re-import of many recorded
    rows costs one query per file, not one per row): the entries in force, and those withdrawn or
    corrected since (by what makes them the same entry)."""
    files = {ret.file for ret in new}
    gone = {r.key(): r for name in files for r in db.withdrawn_in_file(conn, name)}
    return {r.key() for name in files for r in db.returns_in_file(conn, name) if r.key() not in gone}, gone


def _note_appended(
    conn: db.Connection,
    root: Path,
    name: str,
    before: Fingerprint | None,
    after: db.LoadedFile,
    placed: list[Return | Correction],
    today: date,
) -> str | None:
    """Tell the database of returns just appended to `name`, and the standing tables what they
    change; why it could not, if it could not."""
    try:
        with db.transaction(conn):
            # Asked again inside the transaction: a command outside the lock may have synced the
            # file meanwhile, new returns and all.
            now = db.loaded_files(conn).get(name)
            if before is not None and (now.fingerprint if now else None) == before:
                db.insert_returns(conn, [r for r in placed if isinstance(r, Return)])
                db.save_file(conn, name, after)
                write_standing(conn, today)
            else:
                sync_files(conn, root, today)
    except (db.DatabaseError, OSError, TrackerError) as e:  # the file is the record: it holds them all the same
        return str(e)
    return None


class _Prepared(NamedTuple):
    tmp: Path  # the file's complete new version, beside it
    lines: list[int]  # the line each new return starts on
    line_ends: int  # how many line ends the new version holds
    rewritten: bool  # rewritten whole (in the form tracker writes, every return kept), not appended to


def _prepare(
    conn: db.Connection, path: Path, name: str, new: list[Return | Correction], header: str, loaded: db.LoadedFile | None
) -> _Prepared:
    """The new version of status file `path` with `new` added, written beside it, not yet in place.

    `loaded` is how the database holds the file, if it holds it as it is now: then the file is not
    parsed at all, and a large file costs no more to add to than a small one.
    """
    from .yamlio.blocks import addition, appended, block, return_block

    blocks = [block(r) for r in new]
    path.parent.mkdir(exist_ok=True)
    if loaded is not None and loaded.lines is not None and loaded.appendable:
        with open(path, "rb") as f:
            ends_with_newline = f.seek(0, os.SEEK_END) == 0 or (f.seek(-1, os.SEEK_END) >= 0 and f.read(1) == b"\n")
        added, lines = addition(ends_with_newline, loaded.lines, blocks)
        return _Prepared(workspace.prepare_append(path, added), lines, loaded.lines + added.count(b"\n"), False)
    if not path.exists():
        content, lines = appended(None, header, blocks)
        return _Prepared(workspace.prepare_write(path, content), lines, content.count(b"\n"), False)
    # Rewriting whole moves every line, and a correction names its entry by line: never with corrections.
    corrected = f"{name} is in a form a block cannot be appended to (a flow or indented list, `...`): rewrite it as"
    corrected += (
        " a block list before correcting it" if any(isinstance(e, Correction) for e in new) else " (it holds corrections)"
    )
    if loaded is not None:
        if db.has_corrections(conn, name) or any(isinstance(e, Correction) for e in new):
            raise DataError(corrected)
        existing = db.returns_in_file(conn, name)
    else:  # changed since the database last read it: read it now
        from .yamlio.returns import read_status_file

        raw = workspace.read(path, name)[0]
        status = read_status_file(raw, name)
        if status.appendable:
            content, lines = appended(raw, header, blocks)
            return _Prepared(workspace.prepare_write(path, content), lines, content.count(b"\n"), False)
        if status.corrections or any(isinstance(e, Correction) for e in new):
            raise DataError(corrected)
        existing = status.returns
    content, lines = appended(None, header, [return_block(r) for r in existing] + blocks)
    return _Prepared(workspace.prepare_write(path, content), lines[len(existing) :], content.count(b"\n"), True)
