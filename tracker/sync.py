"""Keeping tracker.db in line with the YAML, and `check` of a whole workspace.

Every command opens the database through `open_synced`: a file whose size, modification time and
inode are unchanged since it was loaded is not read again; a changed one is read, validated and
loaded, all in one transaction, so a failed or interrupted sync leaves the database as it was. A
status file that has only grown since (the bytes loaded are all there, unchanged: their SHA-256,
a mebibyte at a time, says so) has only its new end read and validated. A database built by
another schema or by other rules is rebuilt. `check` and the sync read and
validate files through the same two functions, loading.py's `load_recommendations` and
`load_status_file`. The sync also writes the standing tables (standings.py) in the same
transaction as what it loads.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import db, workspace
from .domain.problem import Problem
from .domain.recommendations import Dataset
from .domain.returns import Entry, StatusFileCheck, code_of_file, recorded_twice
from .errors import DataError, InvalidData
from .loading import load_dataset, load_status_file, without_gc
from .standings import restand, standing_due, write_standing
from .workspace import MARKER, OUTCOME_VALUES, OUTCOMES, Fingerprint, fingerprint, is_definition

if TYPE_CHECKING:
    from .domain.corrections import Correction


@cache
def rules() -> str:
    """What built a database: its schema and the code that read and validated its data.

    A digest of tracker's own source files as they are on disk (each one's path, size, and
    modification and change times), so that a database is trusted, and `check` says "ok" without
    reading the YAML, only when this very code validated what it holds: a file edited, added or
    replaced changes it. Their times, not their bytes: every command asks, and reading the whole
    package each time cost more than the rest of a report's start.
    """
    # A CRC, not a cryptographic hash: it guards against mistakes, not attacks, and costs no import.
    package = Path(__file__).resolve().parent
    found: list[tuple[str, os.stat_result]] = []
    folders = [package]
    while folders:
        folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py") and entry.is_file():
                    found.append((Path(entry.path).relative_to(package).as_posix(), entry.stat()))
                elif entry.is_dir() and entry.name != "__pycache__":
                    folders.append(Path(entry.path))
    digest = 0
    for name, st in sorted(found):
        digest = zlib.crc32(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n".encode(), digest)
    return f"schema {db.SCHEMA_VERSION}; code {digest:08x}"


def file_fingerprint(path: Path, shown: str) -> Fingerprint:
    try:
        return fingerprint(path.stat())
    except FileNotFoundError:
        raise DataError("file not found", shown) from None


# What a file loaded is known by: the SHA-256 of each mebibyte of it. Of a file that has grown, the
# mebibytes before its old end say whether the bytes loaded are still there; of one appended to,
# only its last mebibyte is hashed again.
BLOCK = 1 << 20


def digests(data: bytes, start: int = 0) -> bytes:
    """The SHA-256 of each mebibyte of `data` from byte `start` on (a multiple of BLOCK), one after another."""
    import hashlib  # only when a file is read or written: its import costs start-up

    view = memoryview(data)
    return b"".join(hashlib.sha256(view[i : i + BLOCK]).digest() for i in range(start, len(view), BLOCK))


def appended_digests(loaded: db.LoadedFile, last_block: bytes, added: bytes) -> bytes:
    """The digests of a file that held what `loaded` describes, once `added` is appended to it;
    `last_block` is its last mebibyte as it was, if it was not a whole one (else b"")."""
    whole = loaded.fingerprint[2] // BLOCK
    return loaded.digests[: whole * 32] + digests(last_block + added)


def _only_grown(raw: bytes, now: bytes, old: db.LoadedFile) -> bool:
    """Whether the file `raw` (its digests `now`) begins with exactly the bytes `old` describes."""
    size = old.fingerprint[2]
    whole = size // BLOCK
    if not 0 < size < len(raw) or len(old.digests) != -(-size // BLOCK) * 32 or now[: whole * 32] != old.digests[: whole * 32]:
        return False
    return size % BLOCK == 0 or digests(raw[whole * BLOCK : size]) == old.digests[whole * 32 :]


def _load_status_file_into(conn: db.Connection, raw: bytes, name: str, data: Dataset) -> tuple[list[Problem], bool]:
    """Read, check and load a status file into the database a part at a time, so that a file of any
    length costs little memory; the rules it breaks (the caller's transaction is then rolled back)
    and whether it takes an appended block. The same rules as load_status_file."""
    from .yamlio.returns import read_status_file

    db.delete_returns(conn, name)
    check = StatusFileCheck(name, code_of_file(name), data, None, lambda line: db.return_at(conn, name, line))

    corrected: list[Problem] = []

    def load(part: list[Entry], corrections: list[Correction]) -> None:
        db.insert_returns(conn, part)  # first: a return recorded twice in one part is found there
        check.check(part)
        corrected.extend(_apply_corrections(conn, name, corrections, data))  # each names an entry loaded already

    with without_gc():
        status = read_status_file(raw, name, load, data.number_of if data.several else None)
    return status.problems + check.problems + corrected, status.appendable


def _apply_corrections(conn: db.Connection, name: str, corrections: list[Correction], data: Dataset) -> list[Problem]:
    """Apply to the database the corrections read from file `name`; the problems of those that name
    no entry in force."""
    from .domain.corrections import apply

    problems = []
    for c in corrections:
        outcome = apply(c, lambda n, day: db.in_force(conn, name, n, day), data)
        if isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            db.apply_correction(conn, c, outcome.target, outcome.replacement)
    return problems


def _load_end_into(conn: db.Connection, raw: bytes, name: str, data: Dataset, old: db.LoadedFile) -> list[Problem] | None:
    """Read, check and load only what was appended to a status file since it was loaded as `old`
    (whose bytes it still begins with), by the same rules as the whole file: an entry recorded
    twice is found by an indexed look-up of the entries already loaded, and a correction applies
    to them. None, having loaded nothing, if what was appended is not whole new entries in the
    form a file is read a part at a time: the caller reads the whole file."""
    from .yamlio.returns import read_appended

    check = StatusFileCheck(name, code_of_file(name), data, None, lambda line: None)  # twice: looked up below
    corrected: list[Problem] = []
    db.defer_foreign_keys(conn)

    def load(part: list[Entry], corrections: list[Correction]) -> None:
        db.insert_returns(conn, part)
        for ret in part:  # each return's problems in the order reading the whole file gives them
            check.check([ret])
            first = min((r.line for r in db.recorded_as(conn, ret) if r.as_written and r.line < (ret.line or 0)), default=None)
            if first is not None:
                check.problems.append(recorded_twice(ret, first, data))
        corrected.extend(_apply_corrections(conn, name, corrections, data))

    with without_gc():
        status = read_appended(raw, old.fingerprint[2], old.lines, name, load, data.number_of if data.several else None)
    return None if status is None else status.problems + check.problems + corrected


def check(root: Path, today: date) -> tuple[list[tuple[Problem, bool]], dict[str, int]]:
    """Every problem in the workspace, each with whether it made a file unreadable, and the counts.

    When tracker.db holds the workspace's files as they are, built by these rules, nothing needs
    reading: the database only ever holds data that passed every rule. `check` never writes: an
    intent journal (left by a command killed half-way, or carried in by a pull request) is not
    followed but reported, and fails the check: the files are checked as they stand, and a command
    that records finishes the journal if this machine's tracker wrote it.
    """
    journal = os.path.lexists(root / workspace.JOURNAL)
    # A command writing now removes its journal once done: wait for it. (Every writer makes the lock
    # file first: where there is none, no command is writing, and check makes none.)
    if journal and os.path.lexists(root / workspace.LOCK):
        try:
            with workspace.lock(root, finish=False):
                journal = os.path.lexists(root / workspace.JOURNAL)
        except OSError:  # a workspace one may only read: no command is writing to it
            pass
    counts = None if journal else _counts_if_unchanged(root, today)
    if counts is not None:
        return [], counts
    findings, counts, read = _check_files(root, today)
    if findings and not journal and _written_since(root, read):
        # A command was appending to a file as it was read: read again once it has finished (under
        # the lock, if there is one to wait for; check makes none).
        try:
            if os.path.lexists(root / workspace.LOCK):
                with workspace.lock(root, finish=False):
                    findings, counts, read = _check_files(root, today)
            else:
                findings, counts, read = _check_files(root, today)
        except OSError:  # a workspace one may only read: no command is writing to it
            pass
    if journal:
        findings.insert(0, (Problem(workspace.JOURNAL, None, _UNFINISHED), True))
    return findings, counts


_UNFINISHED = (
    "a write that did not finish: the files were checked as they stand; `tracker load` finishes it if tracker"
    " on this machine left it, and refuses it otherwise (then remove it); it is never committed"
)


def _check_files(root: Path, today: date) -> tuple[list[tuple[Problem, bool]], dict[str, int], dict[Path, Fingerprint]]:
    """`check` reading every file: the problems, the counts, and how each file was when read."""
    counts = {"recommendations": 0, "departments": 0, "returns": 0, "assessments": 0}
    files = workspace.yaml_files(root)
    read: dict[Path, Fingerprint] = {}

    def raw(path: Path, shown: str) -> bytes:
        data, st = workspace.read(path, shown)
        read[path] = fingerprint(st)
        return data

    try:
        data, problems = load_dataset(lambda name: raw(files[name], name), files)
    except DataError as e:
        return [(Problem(e.file or MARKER, e.line, e.message), True)], counts, read
    findings = [(p, False) for p in problems]
    counts.clear()
    for source in data.all_sources.values():  # each source's items, in its own word: 32 recommendations, 20 actions
        n = sum(1 for r in data.recommendations if r.source == source.key)
        word = counted_as(source.key, source.items)
        counts[word] = counts.get(word, 0) + n
    counts.update(departments=len(data.registry.departments), returns=0, assessments=0)
    findings += _check_outcomes(files, raw, counts, data)
    for shown, path in files.items():
        if is_definition(shown) or shown in (OUTCOMES, OUTCOME_VALUES):
            continue
        try:
            status = load_status_file(raw(path, shown), shown, data, today)
        except DataError as e:
            findings.append((Problem(e.file or shown, e.line, e.message), True))
            continue
        counts["assessments" if code_of_file(shown) == "" else "returns"] += len(status.returns)
        findings.extend((p, False) for p in status.problems)
    return findings, counts, read


# What check counts besides the sources' items: a source whose word for them is one of these is
# counted by its key as well (`20 plan actions`, beside the board's actions log).
_COUNTED = ("departments", "returns", "assessments", "actions")


def counted_as(key: str, items: str) -> str:
    """The word a source's items are counted under in check's summary."""
    return items if items not in _COUNTED or key == "review" else f"{key} {items}"


def _check_outcomes(
    files: dict[str, Path], raw: Callable[[Path, str], bytes], counts: dict[str, int], data: Dataset
) -> list[tuple[Problem, bool]]:
    """The problems of outcomes.yaml and outcome_values.yaml, where the workspace has them, each
    with whether it made a file unreadable; what they hold counted in `counts`; and the outcomes
    the items of `data` serve, which the framework must hold."""
    from .domain.outcomes import served_problems
    from .yamlio.outcomes import load_outcomes

    if OUTCOMES not in files and OUTCOME_VALUES not in files:
        return [(p, False) for p in served_problems(data, None)]
    try:
        framework, values, problems = load_outcomes(
            *(raw(files[name], name) if name in files else None for name in (OUTCOMES, OUTCOME_VALUES))
        )
    except DataError as e:
        return [(Problem(e.file or OUTCOMES, e.line, e.message), True)]
    if framework is not None:
        counts["outcomes"], counts["measures"] = len(framework.outcomes), len(framework.measures)
    counts["outcome values"] = len(values)
    return [(p, False) for p in problems + served_problems(data, framework)]


def _written_since(root: Path, read: dict[Path, Fingerprint]) -> bool:
    """Whether a command is writing to the record, or a file changed since it was read."""
    if os.path.lexists(root / workspace.JOURNAL):
        return True
    try:
        return any(fingerprint(path.stat()) != was for path, was in read.items())
    except OSError:
        return True


def _counts_if_unchanged(root: Path, today: date) -> dict[str, int] | None:
    # Returns dated after `today` pass loading (the clock is the caller's) but not `check`.
    path = root / db.NAME
    if not path.exists() or os.path.lexists(root / workspace.JOURNAL):
        return None
    _database_file(path)
    try:
        conn = db.connect(path, readonly=True)
        try:
            if _is_fresh(conn, root) and not db.count_returns_after(conn, today):
                return db.counts(conn) | db.outcome_counts(conn)
        finally:
            conn.close()
    except (db.DatabaseError, DataError):
        pass
    return None


# -- the database ---------------------------------------------------------------------------


def open_synced(root: Path, today: date | None = None) -> db.Connection:
    """A connection to the workspace's database, brought in line with its YAML first, its standing
    tables as of `today` (None: left as they are, or emptied if the YAML changed).

    A database already in line is used as it is. Anything else (bringing it in line, building
    it) happens under the workspace lock, so commands started together never build it twice or
    write to it at once.
    """
    path = root / db.NAME
    _database_file(path)
    if path.exists() and not os.path.lexists(root / workspace.JOURNAL):  # a journal: finish it first
        conn = _connect(path)
        try:
            if _is_fresh(conn, root):
                if today is not None and standing_due(conn, today):
                    restand(conn, today)
                return conn
        except BaseException:
            conn.close()
            raise
        conn.close()
    try:
        with workspace.lock(root):
            if not path.exists():
                return _build_aside(root, today)
            conn = _connect(path)
            try:
                with db.transaction(conn):  # re-checked under the lock: another command may have done it
                    if not _built_here(conn):  # another schema, or other rules: nothing in it can be trusted
                        _recreate(conn, root, today)
                    elif not _is_fresh(conn, root) or standing_due(conn, today):
                        sync_files(conn, root, today)
            except BaseException:
                conn.close()
                raise
            return conn
    except (OSError, db.OperationalError) as e:
        if not read_only(e):
            raise
    # A workspace one may only read (a read-only checkout, a share): the YAML is read into a
    # database in memory, which the command reads as it would tracker.db, and nothing is written.
    return in_memory(root, today)


def read_only(e: Exception) -> bool:
    """Whether `e` says the workspace or its database may not be written to."""
    import errno

    if isinstance(e, OSError):
        return e.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    return "readonly" in str(e) or "read-only" in str(e) or "unable to open" in str(e)


def in_memory(root: Path, today: date | None) -> db.Connection:
    """A database in memory holding the workspace's YAML, for a workspace one may only read."""
    conn = db.connect(Path(":memory:"))
    try:
        with db.transaction(conn):
            _recreate(conn, root, today)
    except BaseException:
        conn.close()
        raise
    return conn


def catch_up(conn: db.Connection, root: Path, today: date | None) -> bool:
    """Bring an open connection's database in line with the YAML again, under the workspace lock
    the caller holds: with what another command or program wrote while this one waited for it.
    Whether anything had to be done (one transaction, as open_synced's)."""
    if _is_fresh(conn, root) and not standing_due(conn, today):
        return False
    with db.transaction(conn):
        if not _built_here(conn):
            _recreate(conn, root, today)
        elif not _is_fresh(conn, root) or standing_due(conn, today):
            sync_files(conn, root, today)
    return True


def rebuild(root: Path, today: date | None = None) -> db.Connection:
    """Build the database afresh from the YAML (`tracker load --rebuild`), under the workspace lock.

    A database that SQLite can open is rebuilt in place, in one transaction, so a command reading
    it meanwhile sees the old one or the new one; one it cannot open (not a database, damaged) is
    replaced by one built beside it.
    """
    path = root / db.NAME
    _database_file(path)
    with workspace.lock(root):
        if path.exists():
            try:
                conn = db.connect(path)
                try:
                    with db.transaction(conn):
                        _recreate(conn, root, today)
                    return conn
                except BaseException:
                    conn.close()
                    raise
            except db.DatabaseError as e:
                if not _damaged(e):
                    raise
        return _build_aside(root, today)


def _database_file(path: Path) -> None:
    """Refuse a tracker.db that SQLite should not open: a folder, a pipe (it would wait for ever),
    a device, or a link."""
    import stat

    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise DataError("is not a regular file; remove it: it is derived from the YAML and rebuilt on demand", db.NAME)


def _connect(path: Path) -> db.Connection:
    try:
        conn = db.connect(path)
        try:
            db.schema_version(conn)  # reads the header: a file that is not a database says so here
        except BaseException:
            conn.close()
            raise
        return conn
    except db.DatabaseError as e:
        if _damaged(e):
            raise DataError(f"{e}; it is derived from the YAML, so run `tracker load --rebuild`", db.NAME) from None
        raise


def _damaged(e: Exception) -> bool:
    return "not a database" in str(e) or "malformed" in str(e)


def _recreate(conn: db.Connection, root: Path, today: date | None) -> None:
    """Empty the database and load every file, inside the caller's transaction."""
    db.drop_everything(conn)
    db.create_schema(conn)
    db.set_meta(conn, "built_by", rules())
    sync_files(conn, root, today)


def _build_aside(root: Path, today: date | None) -> db.Connection:
    """Build the database beside where it goes and move it into place only when complete.

    Only under the workspace lock, and only where no database can be opened: nobody has it open.
    """
    path = root / db.NAME
    fd, tmp = workspace.temporary(path)
    os.close(fd)  # SQLite opens it by name: an empty file is an empty database
    try:
        conn = db.connect(tmp)
        try:
            with db.transaction(conn):
                _recreate(conn, root, today)
        finally:
            conn.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return db.connect(path)


def _built_here(conn: db.Connection) -> bool:
    try:
        return db.schema_version(conn) == db.SCHEMA_VERSION and db.meta(conn, "built_by") == rules()
    except db.OperationalError as e:  # tables missing: an SQLite file, but not one tracker built
        if "no such table" in str(e):
            return False
        raise


def _is_fresh(conn: db.Connection, root: Path) -> bool:
    if not _built_here(conn):
        return False
    loaded = db.loaded_files(conn)
    files = workspace.yaml_files(root)
    if loaded.keys() != files.keys():
        return False
    return all(loaded[name].fingerprint == file_fingerprint(path, name) for name, path in files.items())


def sync_files(conn: db.Connection, root: Path, today: date | None = None) -> None:
    """Load every file that changed since it was loaded, and write the standing tables as of `today`
    if anything changed or they are as of another day; InvalidData if any file breaks a rule."""
    # Read inside the transaction: another process may have synced while this one waited.
    loaded = db.loaded_files(conn)
    files = workspace.yaml_files(root)

    def changed(name: str, path: Path, force: bool) -> tuple[bytes, db.LoadedFile] | None:
        """The file's bytes and how it is now, if it must be loaded; else None (noting a touch)."""
        old = loaded.get(name)
        if not force and old is not None and old.fingerprint == file_fingerprint(path, name):
            return None
        raw, st = workspace.read(path, name)
        now = db.LoadedFile(fingerprint(st), digests(raw), raw.count(b"\n"))
        if not force and old is not None and old.digests == now.digests:
            db.save_file(conn, name, now._replace(appendable=old.appendable))  # touched, not changed
            return None
        return raw, now

    data: Dataset | None = None
    definitions = [name for name in files if is_definition(name)]
    gone = [name for name in loaded if is_definition(name) and name not in files]
    if any(changed(name, files[name], force=False) is not None for name in definitions) or gone:
        # What is followed changed: all of it is read again, and every status file after it.
        reads = {name: changed(name, files[name], force=True) for name in definitions}
        data, problems = load_dataset(lambda name: reads[name][0], definitions)  # type: ignore[index]
        if problems:
            raise InvalidData(problems)
        db.replace_dataset(conn, data)
        for name, read in reads.items():
            db.save_file(conn, name, read[1])  # type: ignore[index]
    changed_any = data is not None

    problems, outcomes_changed = _sync_outcomes(conn, files, loaded, changed)
    if not problems and (data is not None or outcomes_changed):  # the outcomes the items serve are the framework's
        from .domain.outcomes import served_problems

        problems = served_problems(data or db.dataset(conn), db.framework(conn))
    # Status files are checked against the recommendations, so all are read again when those change.
    force = data is not None
    for name, path in files.items():
        if is_definition(name) or name in (OUTCOMES, OUTCOME_VALUES) or (read := changed(name, path, force)) is None:
            continue
        raw, now = read
        data = data or db.dataset(conn)
        changed_any = True
        old = loaded.get(name)
        # Grown, with the recommendations unchanged: only the new end is read.
        grown = old is not None and old.appendable and not force and _only_grown(raw, now.digests, old)
        end = _load_end_into(conn, raw, name, data, old) if grown and old is not None else None
        found, appendable = (end, True) if end is not None else _load_status_file_into(conn, raw, name, data)
        if found:
            problems.extend(found)
            continue
        db.save_file(conn, name, now._replace(appendable=appendable))
    for name in loaded.keys() - files.keys():
        db.forget_file(conn, name)
        changed_any = True
    if problems:
        raise InvalidData(problems)
    if changed_any or standing_due(conn, today):
        write_standing(conn, today, data)


def _sync_outcomes(
    conn: db.Connection,
    files: dict[str, Path],
    loaded: dict[str, db.LoadedFile],
    changed: Callable[[str, Path, bool], tuple[bytes, db.LoadedFile] | None],
) -> tuple[list[Problem], bool]:
    """Load the outcomes framework and its values again if either file changed, came or went (both
    are small, and read whole together: a value is checked against the measures); the problems
    found, and whether they changed."""
    from .yamlio.outcomes import load_outcomes

    names = (OUTCOMES, OUTCOME_VALUES)
    read = {name: changed(name, files[name], False) for name in names if name in files}
    gone = any(name in loaded and name not in files for name in names)
    if not gone and all(r is None for r in read.values()):
        return [], False
    raws = {name: r[0] if r is not None else workspace.read(files[name], name)[0] for name, r in read.items()}
    framework, values, problems = load_outcomes(raws.get(OUTCOMES), raws.get(OUTCOME_VALUES))
    if problems:
        return problems, True
    db.replace_outcomes(conn, framework, values)
    for name, r in read.items():
        if r is not None:
            db.save_file(conn, name, r[1]._replace(appendable=False))
    return [], True  # a file gone is forgotten with the others
