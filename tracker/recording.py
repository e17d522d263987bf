"""Recording returns: appending them to their departments' status files and to tracker.db.

Each return is looked up in the database where it would be (its file, recommendation and date:
an indexed look-up, never a read of the file), so a return already recorded is skipped. Under
the workspace lock, what is new is appended to its file: the bytes added go into an intent journal
first, so that every file of an import changes or none does, even when killed (workspace.commit).
No file is copied or read whole, so adding to a long file costs what adding to a short one does.
Then the database is told of exactly what was added, in one transaction. The status files are the
record: once they hold the returns, the returns are recorded, whatever happens to the database.
"""

from __future__ import annotations

import os
from collections import Counter
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
from .domain.recommendations import Dataset
from .domain.returns import Entry, check_return, code_of_file
from .errors import DataError, Interrupted, TrackerError, from_machine, hold_interrupts
from .standings import write_standing
from .sync import BLOCK, appended_digests, catch_up, digests, file_fingerprint, open_synced, sync_files

# What recording appends to a file: an entry (a return or an assessment), or a correction of one.
Recordable = Entry | Correction


@dataclass(frozen=True)
class Added:
    """What add_returns did: the returns it wrote, and why tracker.db lags behind them, if it does."""

    written: list[tuple[Recordable, int]] = field(default_factory=list)  # each entry written, and the line it starts on
    database_lags: str | None = None
    withdrawn: list[Entry] = field(default_factory=list)  # the same as returns withdrawn or corrected: not added again

    @property
    def returns(self) -> list[Recordable]:
        """The entries written, as their files hold them (each with its line)."""
        return [_at(e, line) for e, line in self.written]


def add_returns(
    root: Path, new: Sequence[Recordable], today: date, conn: db.Connection | None = None, data: Dataset | None = None
) -> Added:
    """Append returns (or corrections) to their files and to the database, under the workspace lock.

    `conn` is the command's connection, brought in line when it was opened, and `data` its
    recommendations; the returns were checked against them (return_from_text does), and are
    checked again only if the database changed while this waited for the lock. Without them, a
    connection is opened and every return checked. Returns already recorded are skipped.

    The status files are the record: once a return is in its file it is recorded, and a database
    that cannot take it is left to the next command to bring in line (`database_lags`). A failure
    before that raises, saying that nothing was recorded.
    """
    if conn is None or data is None:
        with closing(open_synced(root, today)) as own:
            return _add(root, new, today, own, None)
    return _add(root, new, today, conn, data)


def _add(root: Path, new: Sequence[Recordable], today: date, conn: db.Connection, checked: Dataset | None) -> Added:
    try:
        seen = db.data_version(conn)
        by_file, withdrawn = _sorted(conn, new)
        if not by_file:  # nothing to write: no lock to wait for (a pack imported twice)
            return Added([], None, withdrawn)
        with workspace.lock(root):
            # In line with anything written while this waited for the lock: if anything was, every
            # entry is looked up again, and checked again if the recommendations are not those it
            # was checked against (a person may have taken minutes to answer the prompts).
            moved = catch_up(conn, root, today) or db.data_version(conn) != seen
            data = db.dataset(conn) if moved or checked is None else checked  # unmoved: read already
            if data is not checked and data != checked:
                _check(conn, new, data, today)
            if moved:
                by_file, withdrawn = _sorted(conn, new)
                if not by_file:  # recorded meanwhile, by a command started at the same time
                    return Added([], None, withdrawn)
            plans: list[_Plan] = []
            try:
                known = db.loaded_files(conn)
                for name, entries in by_file.items():
                    plans.append(_plan(conn, root, name, entries, known.get(name), data))
                hold_interrupts()  # released when the command ends
                # A file rewritten whole replaces only the file as it was read: never an edit made since.
                expect = {root / p.name: p.was.fingerprint for p in plans if p.tmp and p.was is not None}
                after = workspace.commit(
                    root, [(p.tmp, root / p.name) for p in plans if p.tmp], [p.append for p in plans if p.append], expect
                )
            except BaseException:
                for p in plans:
                    if p.tmp:
                        p.tmp.unlink(missing_ok=True)
                raise
            # Recorded: now tell the database.
            written = [(e, line) for p in plans for e, line in zip(p.entries, p.lines, strict=True)]
            lags = _tell_database(conn, root, today, data, plans, after)
    except KeyboardInterrupt:
        raise Interrupted("interrupted; nothing was recorded") from None
    except workspace.Tangled:
        raise  # it says what is in the file
    except Exception as e:
        failure = e if isinstance(e, TrackerError) else from_machine(e)
        if failure is None:
            raise
        raise TrackerError(f"{failure}; nothing was recorded", exit_code=failure.exit_code) from None
    return Added(written, lags, withdrawn)


def _sorted(conn: db.Connection, new: Sequence[Recordable]) -> tuple[dict[str, list[Recordable]], list[Entry]]:
    """What each file is to take of `new`, and the returns that are entries withdrawn or corrected
    since (not added again). A return its file already holds is left out, and so is a second copy
    of one. Each is looked up by its index; or, for an import of about as many returns as the file
    holds, the file's entries are read once; a file not there yet is not looked in."""
    keys: set[tuple[object, ...]] = set()
    fresh = []
    for entry in new:
        if (key := entry.key()) not in keys:
            keys.add(key)
            fresh.append(entry)
    known = db.loaded_files(conn)
    counts = Counter(e.file for e in fresh if isinstance(e, Entry))
    read: dict[str, dict[db.EntryKey, list[db.Recorded]]] = {}
    for name, count in counts.items():
        if (loaded := known.get(name)) is None:
            read[name] = {}
        elif count * ENTRIES_PER_LOOKUP >= loaded.lines // 5:  # an entry takes five lines at least
            read[name] = db.recorded_in(conn, name)
    by_file: dict[str, list[Recordable]] = {}
    withdrawn: list[Entry] = []
    for entry in fresh:
        if isinstance(entry, Entry):
            entries = read.get(entry.file)
            if entries is None:
                same = db.recorded_as(conn, entry)
            elif not entries:  # a new file, or one with nothing in it: nothing to look for
                by_file.setdefault(entry.file, []).append(entry)
                continue
            else:
                same = entries.get(db.entry_key(entry), [])
            if any(s.in_force for s in same):
                continue
            if same:
                withdrawn.append(entry._replace(line=same[0].line))
                continue
        by_file.setdefault(entry.file, []).append(entry)
    return by_file, withdrawn


# A look-up by the index costs about as much as reading this many of a file's entries in one go.
ENTRIES_PER_LOOKUP = 4


def _check(conn: db.Connection, new: Sequence[Recordable], data: Dataset, today: date) -> None:
    """Every rule each entry must keep against the data as it is now; DataError for the first broken."""
    for entry in new:
        if isinstance(entry, Correction):
            outcome = apply(entry, partial(db.in_force, conn, entry.file), data, today)
            if isinstance(outcome, Problem):
                raise DataError(outcome.message)
            continue
        problems = check_return(entry, data, today)
        if problems:
            raise DataError(problems[0].detail())


class _Plan(NamedTuple):
    name: str
    entries: list[Recordable]
    lines: list[int]  # the line each entry starts on
    was: db.LoadedFile | None  # the file as the database holds it (None: a new file)
    append: workspace.Append | None  # the bytes appended to it
    last_block: bytes  # its last mebibyte before them, if not a whole one: the digests are made from it
    tmp: Path | None  # or its complete new version beside it (a new file, or one rewritten whole)
    content: bytes  # a new file's bytes


def _plan(
    conn: db.Connection, root: Path, name: str, entries: list[Recordable], loaded: db.LoadedFile | None, data: Dataset
) -> _Plan:
    """How `entries` are added to file `name`, which the database holds as it is (`loaded`).

    An existing file is appended to: the bytes added and the lines they start on are worked out
    from what the database holds, and its last mebibyte is read (for its digest), not the file.
    """
    from .yamlio.blocks import addition, appended, block, file_header, return_block

    path = root / name
    blocks = [block(e) for e in entries]
    if loaded is not None and loaded.appendable and not path.is_symlink():
        size = loaded.fingerprint[2]
        start = size - size % BLOCK if size % BLOCK else max(0, size - 1)
        end = workspace.read_end(path, name, start, loaded.fingerprint)
        added, lines = addition(not end or end.endswith(b"\n"), loaded.lines, blocks)
        last = end if size % BLOCK else b""
        return _Plan(name, entries, lines, loaded, workspace.Append(path, added, loaded.fingerprint), last, None, b"")
    if loaded is not None and loaded.appendable:  # a link to a file in the workspace: replaced by the file, added to
        raw = workspace.read(path, name)[0]
        added, lines = addition(not raw or raw.endswith(b"\n"), loaded.lines, blocks)
        return _Plan(name, entries, lines, loaded, None, b"", workspace.prepare_write(path, raw + added), b"")
    if loaded is None:
        if os.path.lexists(path):  # made since the database was brought in line: never written over
            raise workspace.Changed("was made by another program as tracker was about to write it", name)
        code = code_of_file(name)
        content, lines = appended(None, file_header(code, data.registry.departments[code].name if code else ""), blocks)
        path.parent.mkdir(exist_ok=True)
        return _Plan(name, entries, lines, None, None, b"", workspace.prepare_write(path, content), content)
    # Rewriting whole moves every line, and a correction names its entry by line: never with corrections.
    if db.has_corrections(conn, name) or any(isinstance(e, Correction) for e in entries):
        reason = (
            " a block list before correcting it" if any(isinstance(e, Correction) for e in entries) else " (it holds corrections)"
        )
        raise DataError(
            f"{name} is in a form a block cannot be appended to (a flow or indented list, `...`): rewrite it as{reason}"
        )
    existing = db.returns_in_file(conn, name)
    code = code_of_file(name)
    header = file_header(code, data.registry.departments[code].name if code else "")
    content, lines = appended(None, header, [return_block(r) for r in existing] + blocks)
    return _Plan(name, entries, lines[len(existing) :], loaded, None, b"", workspace.prepare_write(path, content), b"")


def _tell_database(
    conn: db.Connection,
    root: Path,
    today: date,
    data: Dataset,
    plans: list[_Plan],
    after: dict[Path, workspace.Fingerprint],
) -> str | None:
    """Tell the database of what was just written, and the standing tables what it changes, in one
    transaction; why it could not, if it could not.

    What was appended is inserted as it was written: nothing is read back. A file rewritten whole,
    or one the database or another program touched meanwhile, is read again instead.
    """
    try:
        with db.transaction(conn):
            # Asked again inside the transaction: a command outside the lock may have synced meanwhile.
            known = db.loaded_files(conn)
            with db.inserting(conn, sum(len(p.entries) for p in plans)):
                behind = [p for p in plans if not _told(conn, root, data, p, known.get(p.name), after)]
            if behind:
                sync_files(conn, root, today)
            else:  # the standing tables are as of today (catch_up saw to it): only what the entries change
                write_standing(conn, today, data, {e.recommendation for p in plans for e in p.entries})
    except (db.DatabaseError, OSError, TrackerError) as e:  # the file is the record: it holds them all the same
        return str(e)
    return None


def _told(
    conn: db.Connection,
    root: Path,
    data: Dataset,
    p: _Plan,
    now: db.LoadedFile | None,
    after: dict[Path, workspace.Fingerprint],
) -> bool:
    """Insert what plan `p` wrote to its file, which the database now holds as `now`; False if
    it cannot be told so (the file is then read again)."""
    path = root / p.name
    if p.append is not None and p.was is not None and now == p.was:
        grew = after[path][2] == p.was.fingerprint[2] + len(p.append.data)
        if not grew or not _insert(conn, data, p):  # another program wrote to it too: read it
            return False
        added = p.append.data
        lines = p.was.lines + added.count(b"\n")
        db.save_file(conn, p.name, db.LoadedFile(after[path], appended_digests(p.was, p.last_block, added), lines))
        return True
    if p.was is None and now is None and p.tmp is not None:
        if not _insert(conn, data, p):
            return False
        loaded = db.LoadedFile(file_fingerprint(path, p.name), digests(p.content), p.content.count(b"\n"))
        db.save_file(conn, p.name, loaded)
        return True
    return False


def _at(entry: Recordable, line: int) -> Recordable:
    """`entry` as its file now holds it, on `line`."""
    return entry._replace(line=line) if isinstance(entry, Entry) else replace(entry, line=line)


def _insert(conn: db.Connection, data: Dataset, p: _Plan) -> bool:
    """Insert the entries just appended to a file as they were written, each correction applied to
    the entries already loaded; False if one cannot be (the file is then read again)."""
    returns = [(e, line) for e, line in zip(p.entries, p.lines, strict=True) if isinstance(e, Entry)]
    db.insert_returns(conn, [e for e, _ in returns], [line for _, line in returns])
    for entry, line in zip(p.entries, p.lines, strict=True):
        if isinstance(entry, Correction):
            c = replace(entry, line=line)
            outcome = apply(c, partial(db.in_force, conn, c.file), data)
            if isinstance(outcome, Problem):
                return False
            db.apply_correction(conn, c, outcome.target, outcome.replacement)
    return True
