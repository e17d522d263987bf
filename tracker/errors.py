"""The TrackerError family, the exit codes the CLI turns them into, and holding off interruption."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import IntEnum
from typing import Protocol


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1  # `tracker check` found problems in readable data
    USAGE = 2  # bad command line, no workspace, refusing to overwrite
    DATA = 3  # the data could not be read or used
    INTERRUPTED = 130  # Ctrl-C: nothing was written


class TrackerError(Exception):
    """An error caused by the user's input or environment, reported without a traceback."""

    exit_code = ExitCode.DATA

    def __init__(self, message: str, file: str | None = None, line: int | None = None, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = ExitCode(exit_code)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return where + self.message


class DataError(TrackerError):
    """A file cannot be read as tracker data (syntax, encoding, shape, unsafe YAML)."""


class Described(Protocol):
    """A broken rule that can say where it is and what it is (domain.problem.Problem)."""

    def describe(self) -> str: ...


class InvalidData(TrackerError):
    """The data was read but breaks rules, so commands other than `check` refuse to use it."""

    def __init__(self, problems: Sequence[Described]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s); run `tracker check`)" if len(problems) > 1 else ""
        super().__init__(first.describe() + more)
        self.problems = problems

    def __str__(self) -> str:
        return self.message


class Untrusted(TrackerError):
    """tracker.db holds a value tracker never writes: another program changed it. The command is run
    again on a database rebuilt from the YAML (cli.py)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"holds a value tracker did not write ({what}); it is derived from the YAML: rebuild it", "tracker.db")


class UsageError(TrackerError):
    exit_code = ExitCode.USAGE


class Interrupted(TrackerError):
    """Ctrl-C or the end of input at a prompt: the command stops with nothing written."""

    exit_code = ExitCode.INTERRUPTED


class NotFound(TrackerError):
    """A recommendation or department asked for by the user does not exist."""


def from_machine(e: Exception) -> TrackerError | None:
    """What the machine refused, as a TrackerError saying what to do; None for a bug.

    Libraries are looked up in sys.modules rather than imported: an error of a library that was
    never loaded cannot have happened, and the error boundary stays free to start.
    """
    sqlite3 = sys.modules.get("sqlite3")
    csv = sys.modules.get("csv")
    if isinstance(e, OSError):
        where = f"{e.filename}: " if e.filename else ""
        return TrackerError(f"{where}{(e.strerror or str(e)).lower()}")
    if sqlite3 is not None and isinstance(e, sqlite3.Error):
        if "locked" in str(e):
            return TrackerError("tracker.db: another program holds the database; try again when it has finished")
        if "readonly" in str(e) or "unable to open" in str(e):
            return TrackerError(
                f"tracker.db: {e}; check that it is a file tracker may write, or delete it: it is rebuilt from the YAML"
            )
        return TrackerError(f"tracker.db: {e}; it is derived from the YAML, so `tracker load --rebuild` builds it anew")
    if isinstance(e, UnicodeEncodeError):
        encoding = getattr(sys.stdout, "encoding", "?")
        return TrackerError(f"the output ({encoding}) cannot show {e.object[e.start : e.end]!r}; set PYTHONIOENCODING=utf-8")
    if isinstance(e, OverflowError):
        return TrackerError(f"a date or a number is out of range ({e})")
    if csv is not None and isinstance(e, csv.Error):
        return TrackerError(f"CSV: {e}")
    return None


def silence_stdout() -> None:
    """Point stdout at nowhere once writing to it has failed, so that Python's own flush at exit
    cannot fail a second time and print a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def hold_interrupts() -> None:
    """From here until the command ends, Ctrl-C and termination wait for it: called once files
    start moving into place, when finishing is the only way to keep the record whole and the exit
    code true. (An in-process caller releases them with `release_interrupts`.)"""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or _held:
        return
    for sig in (signal.SIGINT, getattr(signal, "SIGTERM", None)):
        if sig is not None:
            _held.append((sig, signal.signal(sig, signal.SIG_IGN)))


def release_interrupts() -> None:
    """Let Ctrl-C work again, unless this process is the `tracker` command (see `held_until_exit`)."""
    import signal

    while _held and not _until_exit:
        sig, handler = _held.pop()
        signal.signal(sig, handler)  # type: ignore[arg-type]


def held_until_exit() -> None:
    """Keep held interruptions held until the process exits: a Ctrl-C after the record was written
    must not turn a success into exit 130."""
    global _until_exit
    _until_exit = True


_held: list[tuple[int, object]] = []
_until_exit = False
