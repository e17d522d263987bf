"""The workspace's files: finding and creating a workspace, listing, reading and writing its files, its lock."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .errors import DataError, UsageError

MARKER = "recommendations.yaml"
STATUS_DIR = "status"
SOURCES_DIR = "sources"  # the sources beyond the review: sources/KEY.yaml (domain.sources)
ACTIONS, MEETINGS = "actions.yaml", "meetings.yaml"  # the secretariat's own record (domain.board)
ASSESSMENTS = "assessments.yaml"  # the board's own assessments (domain.returns.status_file(""))
OUTCOMES, OUTCOME_VALUES = "outcomes.yaml", "outcome_values.yaml"  # the outcomes framework (domain.outcomes)
GITIGNORE = (
    "# tracker.db is derived from the YAML and rebuilt on demand; the rest are tracker's working files\n"
    "tracker.db\n.tracker.db.*.tmp\n.tracker.lock\n.tracker.journal\n..tracker.journal.*.tmp\n.*.yaml.*.tmp\n"
)
LOCK = ".tracker.lock"
# Left only by a command killed while putting files in place or appending to them; see commit().
JOURNAL = ".tracker.journal"
# A file as tracker last saw it: modification and change times (ns), size, inode. The change time
# cannot be set back by `cp -p` or `touch -r`, so a file replaced by one of the same size and
# modification time is still seen.
Fingerprint = tuple[int, int, int, int]


def fingerprint(st: os.stat_result) -> Fingerprint:
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def find_root(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """--root, else TRACKER_ROOT, else the nearest folder upwards holding recommendations.yaml."""
    if explicit is None and os.environ.get("TRACKER_ROOT"):
        explicit = Path(os.environ["TRACKER_ROOT"])
    if explicit is not None:
        if not (explicit / MARKER).is_file():
            raise UsageError(f"{explicit} is not a tracker workspace (no {MARKER}); create one with `tracker init DIR`")
        return explicit
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise UsageError(f"no {MARKER} in {here} or any parent folder; use --root DIR or create a workspace with `tracker init DIR`")


def is_definition(name: str) -> bool:
    """Whether the file `name` (as yaml_files names it) says what is followed: recommendations.yaml or a source."""
    return name == MARKER or name.startswith(SOURCES_DIR + "/")


def source_key(name: str) -> str:
    """The key of the source in sources/KEY.yaml."""
    return name[len(SOURCES_DIR) + 1 : -len(".yaml")]


def yaml_files(root: Path) -> dict[str, Path]:
    """The workspace's YAML files, by their names relative to the root: the recommendations first,
    then the other sources (sources/KEY.yaml), the assessments and the status files."""
    files = {MARKER: root / MARKER}
    sources = root / SOURCES_DIR
    if os.path.lexists(sources):
        if not sources.is_dir():
            raise DataError("is not a folder; each source beyond the review lives in sources/KEY.yaml", SOURCES_DIR)
        try:
            found = sorted((entry.name, entry.is_dir()) for entry in os.scandir(sources))
        except OSError as e:
            raise DataError(f"cannot read the folder: {(e.strerror or str(e)).lower()}", SOURCES_DIR) from None
        for name, is_dir in found:
            shown = f"{SOURCES_DIR}/{name}"
            if name.startswith("."):
                continue
            if name.endswith(".yml") or (is_dir and not name.endswith(".yaml")):
                raise DataError("sources are named sources/KEY.yaml, directly in sources/; rename or move this", shown)
            if name.endswith(".yaml"):
                key = name[: -len(".yaml")]
                if not _KEY.fullmatch(key) or key.casefold() == "review":
                    raise DataError("a source's key (its file's name) is letters, digits, - and _, and not 'review'", shown)
                files[shown] = sources / name
    if os.path.lexists(root / ASSESSMENTS):
        files[ASSESSMENTS] = root / ASSESSMENTS
    for name in (OUTCOMES, OUTCOME_VALUES):  # a workspace without them has no outcomes framework
        if os.path.lexists(root / name):
            files[name] = root / name
    status = root / STATUS_DIR
    entries: list[tuple[str, bool, bool]] = []
    if os.path.lexists(status):  # else a workspace with no returns yet
        if not status.is_dir():
            raise DataError("is not a folder; each department's returns live in status/<CODE>.yaml", STATUS_DIR)
        try:
            entries = sorted((entry.name, entry.is_dir(), entry.is_symlink()) for entry in os.scandir(status))
        except OSError as e:  # an unreadable folder must not look like one with no returns
            raise DataError(f"cannot read the folder: {(e.strerror or str(e)).lower()}", STATUS_DIR) from None
    links = {name for name in files if (root / name).is_symlink()}
    if sources.is_symlink():
        links.add(SOURCES_DIR)
    if status.is_symlink():
        links.add(STATUS_DIR)
    for name, is_dir, is_link in entries:
        if is_link:
            links.add(f"{STATUS_DIR}/{name}")
        if name.startswith("."):
            continue
        shown = f"{STATUS_DIR}/{name}"
        if name.endswith(".yml") or (is_dir and not name.endswith(".yaml")):
            # Returns here would be silently left out: say so instead.
            raise DataError("status files are named status/<CODE>.yaml, directly in status/; rename or move this", shown)
        if name.endswith(".yaml"):
            files[shown] = status / name
    inside = root.resolve() if links else root
    for shown in sorted(links):
        stays_inside(root, shown, inside)
    return files


_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def stays_inside(root: Path, shown: str, inside: Path | None = None) -> None:
    """DataError if the link at `shown` (relative to `root`, resolved as `inside`) leads out of the
    workspace or nowhere: git stores links, so a pull request can add one."""
    try:
        outside = not (root / shown).resolve(strict=False).is_relative_to(inside or root.resolve())
    except (OSError, RuntimeError):
        raise DataError("is a link that leads nowhere (a loop)", shown) from None
    if outside:
        raise DataError("is outside the workspace (through a link); only files inside it are read", shown)


def default_file(name: str) -> bytes:
    """A file of the package's default data, tracker/data/NAME."""
    from importlib import resources

    return resources.files("tracker").joinpath("data").joinpath(name).read_bytes()


def default_data() -> bytes:
    from importlib import resources

    return resources.files("tracker").joinpath("data").joinpath(MARKER).read_bytes()


def default_outcomes() -> dict[str, bytes]:
    """The outcomes framework and the values shipped with tracker, by their names in a workspace."""
    from importlib import resources

    data = resources.files("tracker").joinpath("data")
    return {name: data.joinpath(name).read_bytes() for name in (OUTCOMES, OUTCOME_VALUES)}


def init(target: Path, files: Mapping[str, bytes] | None = None, marker: bytes | None = None) -> tuple[list[Path], list[Path]]:
    """Create a workspace in `target` with the default data (or `marker` as its recommendations.yaml),
    and `files` (by their paths in it); never overwrites anything. What it created, and which of
    `files` were there already (kept)."""
    if (target / MARKER).exists():
        raise UsageError(f"{target / MARKER} already exists; refusing to overwrite it")
    inside = _resolved(target)
    above = next((folder for folder in inside.parents if (folder / MARKER).is_file()), None)
    if above is not None:  # never in another workspace's record: its status/ or sources/
        _refuse_in(above, target, inside, "DIR")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    files = {**default_outcomes(), **(files or {})}
    _nothing_in_the_way(target, ["status/.gitkeep", ".gitignore", *files])
    target.mkdir(parents=True, exist_ok=True)
    created = []
    status = target / "status"
    status.mkdir(exist_ok=True)
    keep = status / ".gitkeep"
    if not keep.exists():
        keep.write_bytes(b"")
        created.append(keep)
    ignore = target / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
        created.append(ignore)
    added, kept = add(target, files)
    # Written last, and whole, so an interrupted init leaves no half workspace.
    write_atomic(target / MARKER, default_data() if marker is None else marker)
    return [target / MARKER, *created, *added], kept


def add(root: Path, files: Mapping[str, bytes]) -> tuple[list[Path], list[Path]]:
    """Write each of `files` (by its path under `root`) that is not there yet, whole; never over one
    that is. The paths written, and those kept as they were."""
    _nothing_in_the_way(root, list(files))
    added, kept = [], []
    for name, data in files.items():
        path = root / name
        if os.path.lexists(path):
            kept.append(path)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        except OSError as e:  # named as the file meant, not by the temporary file beside it
            raise DataError(f"cannot write {path}: {(e.strerror or str(e)).lower()}") from e
        added.append(path)
    return added, kept


def _nothing_in_the_way(root: Path, names: list[str]) -> None:
    """Refuse, before anything is written, a file where one of `names` needs a folder."""
    for name in names:
        folder = root
        for part in Path(name).parent.parts:
            folder = folder / part
            if folder.is_symlink():  # whatever it leads to, tracker writes only inside the workspace
                raise DataError(f"{folder} is a link; tracker writes only inside the workspace: make it a folder")
            if os.path.lexists(folder) and not folder.is_dir():
                raise DataError(f"{folder} is a file where a folder is needed; move it away and try again")
        path = root / name
        if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
            raise DataError(f"{path} is there, but not as a file; move it away and try again")


# No status file comes near this: a larger one is refused rather than read into memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


def read(path: Path, shown: str) -> tuple[bytes, os.stat_result]:
    """A data file's bytes and the status of exactly that file (taken from the open file).

    Only a regular file is read: a pipe, a device or a folder in its place is refused at once
    (opened without waiting, so a pipe cannot hang the command), and so is a file over
    MAX_FILE_BYTES.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise DataError("file not found", shown) from None
    except OSError as e:
        raise DataError(f"cannot read file: {(e.strerror or str(e)).lower()}", shown) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise DataError("is not a regular file (a folder, a device or a pipe); data files are plain text", shown)
    with os.fdopen(fd, "rb") as f:
        if st.st_size > MAX_FILE_BYTES:
            raise DataError(f"is larger than {MAX_FILE_BYTES >> 20} MiB; a data file is text, not this", shown)
        try:
            return f.read(), st
        except OSError as e:
            raise DataError(f"cannot read file: {(e.strerror or str(e)).lower()}", shown) from None


def read_end(path: Path, shown: str, start: int, was: Fingerprint) -> bytes:
    """The bytes of a data file from `start` on, if it is still as `was` says (else Changed)."""
    changed = Changed("was changed by another program as tracker was about to write to it", shown)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise changed from None
    except OSError as e:
        raise DataError(f"cannot read file: {(e.strerror or str(e)).lower()}", shown) from None
    with os.fdopen(fd, "rb") as f:
        if fingerprint(os.fstat(fd)) != was:
            raise changed
        f.seek(start)
        return f.read()


@contextmanager
def lock(root: Path, timeout: float = 120, finish: bool = True) -> Iterator[None]:
    """Hold the workspace's write lock: one command at a time appends to status files; and, unless
    `finish` is False (`check`, which never writes), finish what a killed command left in its journal.

    An OS file lock, released by the system when the process ends however it ends, so a killed
    command never leaves the workspace locked.
    """
    key = root.resolve()
    if key in _held:  # already held by this process, further up the call
        yield
        return
    with _locked(root / LOCK, timeout):
        _held.add(key)
        try:
            if finish:
                recover(root)
            yield
        finally:
            _held.discard(key)


@contextmanager
def _locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on the file `path`, waiting at most `timeout` seconds for it.

    On POSIX, flock(2) on the file, never through a link (the lock file is made if need be and
    never removed): it costs nothing to import, where filelock costs a command a fifth of its
    start-up. Elsewhere filelock, which takes the same lock where there is flock.
    """
    busy = DataError(f"another tracker command has held the workspace lock for {timeout:.0f} s; try again", LOCK)
    # A link in the lock's place (git can carry one) is never opened: a lock opened through it would
    # create or truncate the file it points to, outside the workspace.
    linked = DataError("is a link; the workspace lock is a plain file tracker makes: remove the link, then try again", LOCK)
    if path.is_symlink():
        raise linked
    if os.name != "posix":
        from filelock import FileLock, Timeout

        try:
            with FileLock(path, timeout=timeout):
                yield
        except Timeout:
            raise busy from None
        return
    import fcntl
    import time

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as e:
        import errno

        if e.errno == errno.ELOOP:  # made a link since it was looked at
            raise linked from None
        raise
    try:
        deadline = time.monotonic() + timeout
        said = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    raise busy from None
                if not said and deadline - now < timeout - 1:  # a second gone: say why nothing happens yet
                    _waiting(timeout)
                    said = True
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # releases the lock


_held: set[Path] = set()


def _waiting(timeout: float) -> None:
    """One line on stderr: the command waits for another that is writing to the workspace."""
    import sys

    try:
        sys.stderr.write(f"tracker: waiting for another tracker command to finish with the workspace (at most {timeout:.0f} s)\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # no stderr to say it on: the wait is the same
        pass


def resolved_output(path: Path, option: str) -> Path:
    """`path` with its links followed; DataError, naming `option`, for a link that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        raise DataError(f"{option}: {path}: too many levels of symbolic links (a link that leads round to itself)") from None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def refuse_record(root: Path, path: Path, option: str) -> None:
    """UsageError if `path` (a file or a folder the user named for output) is in the workspace's
    record, or in the record of any other workspace it is inside (the nearest holding a
    recommendations.yaml)."""
    resolved = _resolved(path)
    other = next((folder for folder in resolved.parents if (folder / MARKER).is_file()), None)
    if other is not None and other != _resolved(root):
        _refuse_in(other, path, resolved, option)
    _refuse_in(root, path, resolved, option)


def _refuse_in(root: Path, path: Path, resolved: Path, option: str) -> None:
    if resolved.is_relative_to(root.resolve()):
        # Compared without case: on macOS and Windows, STATUS/dhsc.YAML is the same file.
        parts = tuple(p.casefold() for p in resolved.relative_to(root.resolve()).parts)
        name = parts[-1] if parts else ""
        record = (
            parts[:1] in ((STATUS_DIR.casefold(),), (SOURCES_DIR.casefold(),))
            or name in (MARKER.casefold(), ASSESSMENTS.casefold(), ACTIONS.casefold(), MEETINGS.casefold())
            or name in (OUTCOMES.casefold(), OUTCOME_VALUES.casefold())
            or name.startswith("tracker.db")  # and its journal and write-ahead log beside it
            or name.startswith(".tracker")
        )
        if record:
            raise UsageError(f"{option}: {path} is part of the workspace's record; write it somewhere else")


def write_out(root: Path, path: Path, data: bytes, option: str) -> None:
    """Write a file the user asked for (a paper, say): never over the workspace's record, into a
    device or a pipe as it is (renaming over /dev/null would replace it), else atomically."""
    refuse_record(root, path, option)
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        st = None
    try:
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            with open(path, "wb") as f:
                f.write(data)
            return
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise DataError(f"{option}: {path} is a folder; give the name of a file in it")
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise DataError(f"{option}: {path} is a device, not a file")
        # Through a link, the file it points to is written: renaming over the link would replace it.
        target = _resolved(path) if path.is_symlink() else path
        if not target.parent.is_dir():
            raise DataError(f"{option}: the folder {target.parent} does not exist")
        write_atomic(target, data)
    except OSError as e:  # named as the user named it, not by the temporary file beside it
        raise DataError(f"{option}: cannot write {path}: {(e.strerror or str(e)).lower()}") from e


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` whole: a reader, a crash or a kill sees the old file or the new one.

    The data goes to a temporary file in the same folder, is flushed to disk, and is renamed over
    the old file, which keeps its permissions.
    """
    commit(path.parent, [(prepare_write(path, data), path)])


def prepare_write(path: Path, data: bytes) -> Path:
    """A complete new version of `path` holding `data`, on disk beside it, for `commit` to put in place."""

    def fill(f: BinaryIO) -> None:
        f.write(data)

    return _prepare(path, fill)


class Append(NamedTuple):
    """Bytes to add at the end of a record file, which must still be as tracker last saw it."""

    path: Path
    data: bytes
    was: Fingerprint  # the file as the database holds it: the lines of what is added are counted from it


class Changed(DataError):
    """A file was changed by another program between tracker reading it and writing to it."""


class Tangled(DataError):
    """Another program wrote to a file as tracker appended to it, and what tracker added could not be
    taken back without losing what the other wrote: the journal is left naming it."""


def commit(
    root: Path, moves: list[tuple[Path, Path]], appends: Sequence[Append] = (), expect: Mapping[Path, Fingerprint] | None = None
) -> dict[Path, Fingerprint]:
    """Put prepared files in place and append to others: all of them, or (if the process dies
    first) none of them; how each appended file is afterwards.

    One rename is atomic by itself. For anything more, an intent journal naming every move and
    every append (the file's length before it, and the bytes added) is written and flushed to disk
    first, and removed after the last; the way SQLite and git do it. A command killed in between
    leaves the journal, and the next command that takes the workspace lock finishes what it names
    (`recover`): every prepared file is complete and every addition is in the journal before the
    journal exists, so finishing is always possible. An append is refused (Changed), and whatever
    was appended is taken back, if its file is not as it was when tracker read it: another program
    wrote to it meanwhile, and its lines are not those tracker counted. A file in `expect` is
    replaced only if it is still as its fingerprint there says: one rewritten whole is never put
    over an edit another program made since tracker read it.
    """
    expect = expect or {}
    if len(moves) == 1 and not appends:
        tmp, path = moves[0]
        try:
            _unchanged(root, path, expect)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _sync_folders({path.parent})
        return {}
    try:
        for _, path in moves:
            _unchanged(root, path, expect)
    except BaseException:
        for tmp, _ in moves:
            tmp.unlink(missing_ok=True)
        raise
    write_journal(root, moves, appends)
    after: dict[Path, Fingerprint] = {}
    started: list[Append] = []  # those written to, in whole or in part (a full disk stops a write part-way)
    try:
        for a in appends:
            after[a.path] = _append(a, root, started)
    except BaseException:
        # Nothing is recorded: what was appended, whole or in part, is taken back (truncating needs
        # no room on a full disk), and the journal goes. If even that fails, the journal stays, and
        # the next command finishes the append it names.
        tangled = []
        for a in started:
            try:
                if not _truncate(a.path, a.was[2], a.data):
                    tangled.append(a.path.relative_to(root).as_posix())
            except OSError:
                tangled.append(a.path.relative_to(root).as_posix())
        for tmp, _ in moves:
            tmp.unlink(missing_ok=True)
        if not tangled:
            (root / JOURNAL).unlink()
            _sync_folders({root})
            raise
        raise Tangled(
            f"{tangled[0]} was written to by another program as tracker appended to it, and what tracker added could not"
            f" be taken back without losing what it wrote; {JOURNAL} names what tracker added: look at the file, then"
            f" remove {JOURNAL}"
        ) from None
    for tmp, path in moves:
        os.replace(tmp, path)
    _sync_folders({path.parent for _, path in moves})
    (root / JOURNAL).unlink()
    _sync_folders({root})
    return after


def write_journal(root: Path, moves: Sequence[tuple[Path, Path]], appends: Sequence[Append]) -> None:
    """Write, flush and put in place the intent journal of `commit`: what it moves and appends, and
    what says this machine's tracker wrote it (see _journal): the machine and process, the journal's
    own file (its device and inode, known before it is renamed into place) and each temporary file's."""
    import json

    def inode(st: os.stat_result) -> list[int]:
        return [st.st_dev, st.st_ino]

    fd, tmp = temporary(root / JOURNAL)
    try:
        with os.fdopen(fd, "wb") as f:
            journal = {
                "host": _host(),
                "pid": os.getpid(),
                "journal": inode(os.fstat(f.fileno())),
                "moves": [[t.relative_to(root).as_posix(), p.relative_to(root).as_posix(), *_made(t.lstat())] for t, p in moves],
                "appends": [[a.path.relative_to(root).as_posix(), a.was[2], a.data.decode("utf-8"), a.was[3]] for a in appends],
            }
            f.write(json.dumps(journal, ensure_ascii=False).encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, root / JOURNAL)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folders({root})


def _made(st: os.stat_result) -> list[int]:
    """A prepared file as tracker made it: its device, inode and change time (no checkout or copy keeps them)."""
    return [st.st_dev, st.st_ino, st.st_ctime_ns]


def _host() -> str:
    import socket

    return socket.gethostname()


_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _append(a: Append, root: Path, started: list[Append]) -> Fingerprint:
    """Add `a.data` at the end of `a.path`, flushed to disk, if the file is as `a.was` says; `a` is
    added to `started` before the first byte is written."""
    shown = a.path.relative_to(root).as_posix()
    changed = Changed("was changed by another program as tracker was about to write to it", shown)
    if a.path.is_symlink():  # O_NOFOLLOW says so too, where there is one
        raise changed
    try:
        fd = os.open(a.path, _APPEND)
    except FileNotFoundError:
        raise changed from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or fingerprint(st) != a.was:
            raise changed
        started.append(a)
        write_to(fd, a.data)
        os.fsync(fd)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    # Another program writing in place (from an end it found before tracker appended) would write
    # over what tracker added: the file is read back, and what is not there is not recorded.
    if _read_at(a.path, a.was[2], len(a.data)) != a.data:
        raise Changed("was written to by another program as tracker appended to it", shown)
    return fingerprint(after)


def _read_at(path: Path, start: int, length: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        os.lseek(fd, start, os.SEEK_SET)
        out = b""
        while len(out) < length and (chunk := os.read(fd, length - len(out))):
            out += chunk
        return out
    finally:
        os.close(fd)


def _unchanged(root: Path, path: Path, expect: Mapping[Path, Fingerprint]) -> None:
    """Changed unless `path` is as `expect` says it was (if it says)."""
    if path not in expect:
        return
    try:
        same = fingerprint(path.stat()) == expect[path]  # as the database took it: through a link in the workspace
    except FileNotFoundError:
        same = False
    if not same:
        raise Changed("was changed by another program as tracker was about to write to it", path.relative_to(root).as_posix())


def write_to(fd: int, data: bytes) -> None:
    """Write all of `data` at the end of the file open as `fd` (a write may take only a part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _truncate(path: Path, length: int, data: bytes) -> bool:
    """Take back an append: cut `path` back to `length`, if all it holds after that is the start of
    `data` (what tracker added, whole or in part); whether it was (else it is left as it is: another
    program wrote to it too, and cutting would lose what it wrote)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        done = os.fstat(fd).st_size - length
        if not 0 <= done <= len(data):
            return False
        os.lseek(fd, length, os.SEEK_SET)
        written = b""
        while len(written) < done and (chunk := os.read(fd, done - len(written))):
            written += chunk
        if written != data[:done]:
            return False
        os.ftruncate(fd, length)
        os.fsync(fd)
        return True
    finally:
        os.close(fd)


def recover(root: Path) -> None:
    """Finish what a killed command started: the moves and appends of its journal, if one was
    left; and remove the temporary files of writes that never reached their journal or their
    rename. Under the lock."""
    journal = root / JOURNAL
    if os.path.lexists(journal):
        moves, appends = _journal(root)
        for name, length, data in appends:
            _finish_append(root, name, length, data)
        for tmp, path in moves:
            if (root / tmp).exists():
                try:
                    os.replace(root / tmp, root / path)
                except OSError as e:
                    raise _unfinished(path, (e.strerror or str(e)).lower()) from None
        _sync_folders({(root / path).parent for _, path in moves})
        journal.unlink()
        _sync_folders({root})
    # A temporary file is named after the file it replaces, behind a dot: `..tracker.journal.*.tmp`.
    for folder, pattern in ((root, ".tracker.*.tmp"), (root, "..tracker.*.tmp"), (root / STATUS_DIR, ".*.yaml.*.tmp")):
        if folder.is_dir():
            for leftover in folder.glob(pattern):
                leftover.unlink(missing_ok=True)


def _unfinished(name: str, why: str) -> DataError:
    message = f"cannot finish the interrupted write of {name} ({why}); fix that, or remove {JOURNAL} to abandon it"
    return DataError(message, JOURNAL)


def _finish_append(root: Path, name: str, length: int, data: bytes) -> None:
    """Make `name` end with `data` from `length` on, as a killed command meant it to. Only what the
    journal holds is ever written: the file must hold its first `length` bytes and, after them,
    the start of `data` (none, some or all of it), else it was changed since, and is left alone."""
    path = root / name
    if path.is_symlink():
        raise _unfinished(name, "it is now a link")
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise _unfinished(name, (e.strerror or str(e)).lower()) from None
    try:
        st = os.fstat(fd)
        done = st.st_size - length
        if not stat.S_ISREG(st.st_mode) or not 0 <= done <= len(data):
            raise _unfinished(name, "it was changed since")
        os.lseek(fd, length, os.SEEK_SET)
        written = b""
        while len(written) < done and (chunk := os.read(fd, done - len(written))):
            written += chunk
        if written != data[:done]:
            raise _unfinished(name, "it was changed since")
        write_to(fd, data[done:])
        os.fsync(fd)
    except OSError as e:
        raise _unfinished(name, (e.strerror or str(e)).lower()) from None
    finally:
        os.close(fd)


NOT_WRITTEN_HERE = "is not a journal tracker wrote on this machine; remove it (it names files to change), then try again"


def _journal(root: Path) -> tuple[list[tuple[str, str]], list[tuple[str, int, bytes]]]:
    """The moves and appends a journal names, if this machine's tracker wrote it: a temporary status
    file onto its own status file; bytes added at a given length to a status file or to
    assessments.yaml; nothing else. A journal could come from elsewhere (git can carry one in a pull
    request, with a temporary file beside it), so it must name this machine, be the very file
    tracker wrote (its device and inode, which a checkout or a copy cannot keep), name temporary
    files that are those tracker made, and not be in git."""
    refuse = DataError(NOT_WRITTEN_HERE, JOURNAL)
    if (root / JOURNAL).is_symlink():
        raise refuse
    import json

    raw, st = read(root / JOURNAL, JOURNAL)
    try:
        journal = json.loads(raw)
        pairs = [(str(tmp), str(path), [dev, ino, ctime]) for tmp, path, dev, ino, ctime in journal["moves"]]
        appends = [(name, length, text.encode("utf-8"), ino) for name, length, text, ino in journal.get("appends", [])]
        here = journal["host"] == _host() and journal["journal"] == [st.st_dev, st.st_ino]
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise refuse from None
    if not here or _in_git(root):
        raise refuse
    for tmp, path, inode in pairs:
        try:
            tmp_st = (root / tmp).lstat()
            if _made(tmp_st) != inode or not stat.S_ISREG(tmp_st.st_mode):
                raise refuse
        except FileNotFoundError:  # renamed into place already
            pass
        except OSError:
            raise refuse from None
        folder, _, name = path.rpartition("/")
        if folder != STATUS_DIR or not _status_name(name):
            raise refuse
        tmp_folder, _, tmp_name = tmp.rpartition("/")
        if tmp_folder != STATUS_DIR or not (tmp_name.startswith(f".{name}.") and tmp_name.endswith(".tmp")):
            raise refuse
    names = [name for name, _, _, _ in appends]
    for name, length, _, ino in appends:
        folder, _, base = name.rpartition("/") if isinstance(name, str) else ("", "", "")
        record = name in (ASSESSMENTS, OUTCOME_VALUES) or (folder == STATUS_DIR and _status_name(base))
        if not record or type(length) is not int or length < 0 or names.count(name) > 1:
            raise refuse
        try:
            if (root / name).lstat().st_ino != ino:  # the file appended to: an append never changes its inode
                raise _unfinished(name, "it was changed since")
        except OSError as e:
            raise _unfinished(name, (e.strerror or str(e)).lower()) from None
    return [(tmp, path) for tmp, path, _ in pairs], [(name, length, data) for name, length, data, _ in appends]


def _in_git(root: Path) -> bool:
    """Whether git tracks the journal: it came with a checkout, not from a command killed here."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--", JOURNAL], capture_output=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):  # no git here: nothing can have checked it out
        return False
    return found.returncode == 0 and bool(found.stdout.strip())


def _status_name(name: str) -> bool:
    """Whether `name` is that of a status file directly in status/ (status/<CODE>.yaml)."""
    return name.endswith(".yaml") and not name.startswith(".") and not any(c in name for c in "/\\\0")


def _sync_folders(folders: set[Path]) -> None:
    if os.name != "posix":  # Windows cannot open a folder to sync it
        return
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)  # make the renames themselves durable
        finally:
            os.close(fd)


def temporary(path: Path) -> tuple[int, Path]:
    """A new, empty file beside `path`, open for writing, to be renamed over it: made exclusively
    under a name no one can guess, so a link planted in its place cannot redirect the write."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return fd, path.parent / Path(name).name  # named as `path` is (mkstemp makes a relative folder absolute)


def _prepare(path: Path, fill: Callable[[BinaryIO], None]) -> Path:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
