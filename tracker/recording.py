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
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import db, workspace
from .domain.corrections import Correction, apply
from .domain.problem import Problem
from .domain.recommendations import Dataset
from .domain.returns import Entry, check_return, code_of_file
from .errors import DataError, Interrupted, TrackerError, from_machine, hold_interrupts
from .standings import write_standing
from .sync import BLOCK, appended_digests, catch_up, digests, file_fingerprint, open_synced, sync_files

if TYPE_CHECKING:
    from .domain.board import Action, ActionState, ActionUpdate
    from .domain.outcomes import Value

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
    first: dict[tuple[object, ...], Recordable] = {}
    for entry in new:
        first.setdefault(entry.key(), entry)
    groups: dict[str, list[Recordable]] = {}
    for entry in first.values():
        groups.setdefault(entry.file, []).append(entry)
    known = db.loaded_files(conn)
    by_file: dict[str, list[Recordable]] = {}
    withdrawn: list[Entry] = []
    for name, group in groups.items():
        loaded = known.get(name)
        if loaded is None:  # a new file: nothing to look for
            by_file[name] = group
            continue
        count = sum(isinstance(e, Entry) for e in group)
        read = db.recorded_in(conn, name) if count * ENTRIES_PER_LOOKUP >= loaded.lines // 5 else None  # five lines at least
        kept: list[Recordable] = []
        for entry in group:
            if isinstance(entry, Entry):
                same = db.recorded_as(conn, entry) if read is None else read.get(db.entry_key(entry), [])
                if any(s.in_force for s in same):
                    continue
                if same:
                    withdrawn.append(entry._replace(line=same[0].line))
                    continue
            kept.append(entry)
        if kept:
            by_file[name] = kept
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


def _header(data: Dataset, code: str) -> str:
    """The comment that opens a new status file (or assessments.yaml), in the words of what the board follows."""
    from .yamlio.blocks import file_header

    name = data.registry.departments[code].name if code else ""
    if not data.several:
        return file_header(code, name)
    followed = replace(data, recommendations=data.followed)
    return file_header(code, name, followed.words.of, followed.words.owners)


def _plan(
    conn: db.Connection, root: Path, name: str, entries: list[Recordable], loaded: db.LoadedFile | None, data: Dataset
) -> _Plan:
    """How `entries` are added to file `name`, which the database holds as it is (`loaded`).

    An existing file is appended to: the bytes added and the lines they start on are worked out
    from what the database holds, and its last mebibyte is read (for its digest), not the file.
    """
    from .yamlio.blocks import addition, appended, blocks, return_block

    path = root / name
    written = blocks(entries, data.refs_written)
    if loaded is not None and loaded.appendable and not path.is_symlink():
        size = loaded.fingerprint[2]
        start = size - size % BLOCK if size % BLOCK else max(0, size - 1)
        end = workspace.read_end(path, name, start, loaded.fingerprint)
        added, lines = addition(not end or end.endswith(b"\n"), loaded.lines, written)
        last = end if size % BLOCK else b""
        return _Plan(name, entries, lines, loaded, workspace.Append(path, added, loaded.fingerprint), last, None, b"")
    if loaded is not None and loaded.appendable:  # a link to a file in the workspace: replaced by the file, added to
        raw = workspace.read(path, name)[0]
        added, lines = addition(not raw or raw.endswith(b"\n"), loaded.lines, written)
        return _Plan(name, entries, lines, loaded, None, b"", workspace.prepare_write(path, raw + added), b"")
    if loaded is None:
        if os.path.lexists(path):  # made since the database was brought in line: never written over
            raise workspace.Changed("was made by another program as tracker was about to write it", name)
        code = code_of_file(name)
        content, lines = appended(None, _header(data, code), written)
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
    header = _header(data, code)
    content, lines = appended(None, header, [return_block(r, refs=data.refs_written) for r in existing] + written)
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
    return entry._replace(line=line)


def _insert(conn: db.Connection, data: Dataset, p: _Plan) -> bool:
    """Insert the entries just appended to a file as they were written, each correction applied to
    the entries already loaded; False if one cannot be (the file is then read again)."""
    returns = [(e, line) for e, line in zip(p.entries, p.lines, strict=True) if isinstance(e, Entry)]
    db.insert_returns(conn, [e for e, _ in returns], [line for _, line in returns])
    for entry, line in zip(p.entries, p.lines, strict=True):
        if isinstance(entry, Correction):
            c = entry._replace(line=line)
            outcome = apply(c, partial(db.in_force, conn, c.file), data)
            if isinstance(outcome, Problem):
                return False
            db.apply_correction(conn, c, outcome.target, outcome.replacement)
    return True


class ActionAdded(NamedTuple):
    """What add_to_actions_log did: the block it wrote and the line it starts on (None: nothing was
    added, the action being `status` already), and the log as it now is."""

    entry: Action | ActionUpdate
    line: int | None
    actions: list[Action]
    updates: list[ActionUpdate]
    status: str = ""

    def states(self, day: date) -> list[ActionState]:
        from .domain.board import action_states

        return action_states(self.actions, self.updates, day)


def add_to_actions_log(root: Path, data: Dataset, today: date, make: Callable[[str], Action | ActionUpdate]) -> ActionAdded:
    """Append the block `make(the next action's reference)` gives to actions.yaml, under the
    workspace lock, only if the log so added to still reads back and keeps every rule (else
    DataError, and the file is as it was). The log is small: it is read whole and replaced atomically."""
    from .domain.board import ACTIONS, Action, action_states, check_actions, next_ref
    from .loading import board_file
    from .yamlio.board import ACTIONS_HEADER, action_block, read_actions, update_block

    with workspace.lock(root):
        existing = board_file(root, ACTIONS)
        before = ACTIONS_HEADER.encode() if existing is None else existing
        refs = data.number_of if data.several else None
        old_actions, old_updates, problems = read_actions(before, ACTIONS, refs)
        problems += check_actions(old_actions, old_updates, data, today)
        if problems:
            first = problems[0]
            raise DataError(f"{first.detail()}; nothing was added: mend the log first (tracker check)", first.file, first.line)
        entry = make(next_ref(old_actions))
        if not isinstance(entry, Action) and all(a.ref != entry.ref for a in old_actions):
            newest = max(old_actions, key=lambda a: int(a.ref[1:])).ref if old_actions else None
            known = f"the newest is {newest}" if newest else "the log has none yet (tracker action add)"
            raise DataError(f"there is no action {entry.ref}; {known}", ACTIONS)
        if not isinstance(entry, Action):
            state = next((s for s in action_states(old_actions, old_updates, entry.date) if s.action.ref == entry.ref), None)
            if state is None and any(a.ref == entry.ref for a in old_actions):
                raise DataError(
                    f"{entry.ref} was raised after {entry.date}; date the update on or after the meeting that raised it"
                )
            if (
                state is not None
                and entry.status == state.status
                and entry.note is None
                and entry.due is None
                and not entry.owner
            ):
                return ActionAdded(entry, None, old_actions, old_updates, state.status)
        # In the file's own line ends (YAML reads \r\n and a lone \r as line ends too).
        end = b"\r\n" if b"\r\n" in before else b"\r" if b"\r" in before else b"\n"
        made = action_block(entry, data.refs_written) if isinstance(entry, Action) else update_block(entry)
        block = made.encode("utf-8").replace(b"\n", end)
        start = before + (b"" if not before or before.endswith((b"\n", b"\r")) else end) + end
        after = start + block
        line = len(start.splitlines()) + 1
        cannot = DataError(
            "cannot take a block at its end (it is not a plain list at the left margin); nothing was added", ACTIONS
        )
        try:
            actions, updates, problems = read_actions(after, ACTIONS, refs)
        except DataError:
            raise cannot from None
        problems += check_actions(actions, updates, data, today)
        if problems:  # the block's own: it is not in the file, so no line of the file is named
            raise DataError(problems[0].detail(), ACTIONS)
        if len(actions) + len(updates) != len(old_actions) + len(old_updates) + 1:
            raise cannot
        path = root / ACTIONS
        if path.is_symlink():  # a link inside the workspace (board_file refused one out of it): its file is the log
            path = path.resolve()
        if existing is not None and not os.access(path, os.W_OK):
            raise DataError("is read-only; nothing was added", ACTIONS)
        try:
            workspace.write_atomic(path, after)
        except OSError as e:
            raise DataError(f"cannot write: {(e.strerror or str(e)).lower()}", ACTIONS) from None
    return ActionAdded(entry, line, actions, updates)


class ValuesAdded(NamedTuple):
    """What add_outcome_values did: each value written and the line it starts on, those skipped
    as recorded already, and why tracker.db lags behind the file, if it does."""

    written: list[tuple[Value, int]]
    skipped: list[Value]
    database_lags: str | None = None


def add_outcome_values(root: Path, new: Sequence[Value], today: date, conn: db.Connection) -> ValuesAdded:
    """Append values to outcome_values.yaml and tell the database, under the workspace lock: all of
    them or none. A value recorded already (same measure, period and value) is skipped; one for a
    measure the framework lacks, or a second, different value for a measure and period, is refused
    (DataError, naming where it came from), and nothing is written. As returns are: the bytes are
    appended through the intent journal (workspace.commit), and the file is the record."""
    from .domain.outcomes import OUTCOME_VALUES, check_values
    from .yamlio.blocks import addition
    from .yamlio.outcomes import VALUES_HEADER, read_values, value_block

    try:
        with workspace.lock(root):
            catch_up(conn, root, today)
            framework, recorded = db.framework(conn), db.measure_values(conn)
            have = {v.key(): v for v in recorded}
            fresh: list[Value] = []
            skipped: list[Value] = []
            for v in new:
                same = have.get(v.key())
                if same is not None and same.value == v.value:
                    skipped.append(v)
                    continue
                problems = check_values([*recorded, *fresh, v], framework)
                if problems:
                    p = problems[-1]
                    if same is not None:
                        was = f"{OUTCOME_VALUES}:{same.line}: {same.value:g}"
                        p = p._replace(message=f"{p.message.split(' (line')[0]} ({was}); a value is never changed")
                    raise DataError(p.detail(), v.file or None, v.line)
                fresh.append(v)
            if not fresh:
                return ValuesAdded([], skipped)
            path = root / OUTCOME_VALUES
            loaded = db.loaded_files(conn).get(OUTCOME_VALUES)
            blocks = [value_block(v) for v in fresh]
            hold_interrupts()  # released when the command ends
            if loaded is None:
                if os.path.lexists(path):
                    raise workspace.Changed("was made by another program as tracker was about to write it", OUTCOME_VALUES)
                from .yamlio.blocks import appended

                content, lines = appended(None, VALUES_HEADER, blocks)
                workspace.commit(root, [(workspace.prepare_write(path, content), path)])
            else:
                if path.is_symlink():
                    raise DataError("is a link; tracker appends only to the file itself", OUTCOME_VALUES)
                raw, st = workspace.read(path, OUTCOME_VALUES)
                if workspace.fingerprint(st) != loaded.fingerprint:
                    raise workspace.Changed("was changed by another program as tracker was about to write it", OUTCOME_VALUES)
                added, lines = addition(not raw or raw.endswith(b"\n"), raw.count(b"\n"), blocks)
                cannot = DataError(
                    "cannot take a block at its end (it is not a plain list at the left margin); nothing was recorded",
                    OUTCOME_VALUES,
                )
                if b"\r" in raw:
                    raise cannot
                try:
                    after, problems = read_values(raw + added)
                except DataError:
                    raise cannot from None
                if problems or len(after) != len(recorded) + len(fresh):
                    raise cannot
                workspace.commit(root, [], [workspace.Append(path, added, loaded.fingerprint)])
            written = [(v._replace(file=OUTCOME_VALUES, line=line), line) for v, line in zip(fresh, lines, strict=True)]
            try:
                with db.transaction(conn):
                    sync_files(conn, root, today)
                lags = None
            except (db.DatabaseError, OSError, TrackerError) as e:  # the file is the record: it holds them all the same
                lags = str(e)
    except KeyboardInterrupt:
        raise Interrupted("interrupted; nothing was recorded") from None
    except workspace.Tangled:
        raise
    except Exception as e:
        failure = e if isinstance(e, TrackerError) else from_machine(e)
        if failure is None:
            raise
        if "nothing was recorded" in failure.message:
            raise failure from None
        message = f"{failure.message}; nothing was recorded"
        raise TrackerError(message, failure.file, failure.line, exit_code=failure.exit_code) from None
    return ValuesAdded(written, skipped, lags)
