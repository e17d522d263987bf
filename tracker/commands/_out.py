"""Where a command's result goes and how it is printed: standard output, or the file its --out (or
--config) names; what it says on stderr.

One home for what paper, pack and datasette-metadata share: `-` and /dev/stdout mean standard
output itself; a file's format follows its extension; a binary document is kept off a terminal;
the folder is checked before any work is done; the file is written atomically, never over the
workspace's record; and the user is told what was written, on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import typer

from . import _context


class Out(NamedTuple):
    """The destination an option names: `path` None is standard output."""

    path: Path | None
    option: str = "--out"

    @classmethod
    def of(cls, path: Path | None, option: str = "--out") -> Out:
        return cls(None if path is None or names_stdout(path) else path, option)

    @property
    def suffix(self) -> str:
        """The file's extension in lower case ('' for stdout); a file named only `.docx` has one."""
        return Path("x" + self.path.name).suffix.lower() if self.path is not None else ""

    @property
    def terminal(self) -> bool:
        """Whether it goes to a terminal: stdout at one, or a terminal named as a file (/dev/tty)."""
        return sys.stdout.isatty() if self.path is None else is_terminal(self.path)

    def format(self, given: str | None, formats: dict[str, str], default: str, names: str, option: bool = True) -> str:
        """The format to write: `given` (--format), else the one the file's extension names, else
        `default`. An extension naming no format, or another format than --format, is refused.
        `option`: whether the command has a --format option to point to."""
        from tracker.errors import UsageError

        named = formats.get(self.suffix)
        if named is None and self.suffix and given is None:
            hint = ", or give --format" if option else ""
            raise UsageError(f"{self.option}: {self.suffix} is not a format tracker writes; name the file {names}{hint}")
        if given is not None and named is not None and named != given:
            article = "an" if named in ("html", "md", "xlsx") else "a"
            raise UsageError(f"--format {given}: {self.option} {self.path} is named as {article} {named} file")
        return given or named or default

    def writable(self) -> None:
        """Refuse, before any work is done, a file in a folder that does not exist or cannot be written."""
        import os

        from tracker.errors import DataError

        if self.path is None:
            return
        folder = self.path.resolve().parent
        if not folder.is_dir():
            raise DataError(f"{self.option}: the folder {self.path.parent} does not exist")
        if not os.access(folder, os.W_OK):
            raise DataError(f"{self.option}: cannot write into the folder {self.path.parent}")

    def write(self, ctx: typer.Context, content: str | bytes, note: str = "") -> None:
        """Write `content`: text as stdout shows text (neutralised at a terminal), bytes as they are;
        a file atomically, then `wrote FILE` and `note` on stderr."""
        if self.path is None:
            if isinstance(content, bytes):
                sys.stdout.buffer.write(content)
            else:
                write(content)
            return
        if isinstance(content, str):
            if self.terminal:  # a terminal named as a file gets what stdout would: text neutralised
                from tracker.output.text import clean

                content = clean(content)
            content = content.encode("utf-8")
        from tracker.workspace import write_out

        write_out(_context.root(ctx), self.path, content, self.option)
        echo(f"wrote {self.path}{note}", err=True)


def write_after_recording(text: str) -> None:
    """Print what was recorded. It is recorded whatever happens to this: an output that cannot take
    it (a full disk, a closed pipe, an encoding without its characters) is a warning, not a failure."""
    try:
        write(text)
        sys.stdout.flush()
    except (OSError, UnicodeError) as e:
        from tracker.errors import from_machine, silence_stdout

        reason = from_machine(e) if isinstance(e, (OSError, UnicodeEncodeError)) else e
        try:
            typer.echo(f"tracker: warning: recorded, but the confirmation could not be printed ({reason})", err=True)
        except (OSError, UnicodeError):
            pass
        silence_stdout()


def write(text: str) -> None:
    """Print a command's result. At a terminal, text from the data is neutralised (CSV and plain
    listings carry it as it is, for the files and pipes they are meant for)."""
    if sys.stdout.isatty():
        from tracker.output.text import clean

        text = clean(text)
    if text[:1] == "\ufeff" and "utf" not in (getattr(sys.stdout, "encoding", None) or "").lower():
        text = text[1:]  # a CSV's byte-order mark says UTF-8: not for output in another encoding
    sys.stdout.write(text)


def is_terminal(path: Path) -> bool:
    """Whether a path the user gave is a terminal (/dev/tty, /dev/stdout at one)."""
    import os
    import stat

    try:
        if not stat.S_ISCHR(path.stat().st_mode):
            return False
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def echo(text: str, err: bool = False) -> None:
    """A line about what a command did, naming files or folders the user gave: neutralised."""
    from tracker.output.text import clean

    lead = "\n" if text.startswith("\n") else ""  # a blank line before it, where one is asked for
    typer.echo(lead + " ".join(clean(text.removeprefix("\n")).split("\n")), err=err)


def names_stdout(path: Path) -> bool:
    """Whether --out names standard output itself (-, /dev/stdout): written as stdout is, so that a
    closed stdout is an error, not a file that SQLite has put in its place."""
    return str(path) in ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


def width() -> int:
    """The width to lay text out in: the terminal's (or COLUMNS), else 80 when piped."""
    import os
    import shutil

    return shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() or "COLUMNS" in os.environ else 80


def write_coloured(text: str) -> None:
    """Print plain text; at a terminal, with its rating words in their colours."""
    if not sys.stdout.isatty():
        write(text)
        return
    from tracker.output.terminal import coloured

    show(coloured(text))


def show(renderable: object) -> None:
    """Print a rich renderable: colour only at a terminal; 80 columns and no trailing spaces when piped."""
    from tracker.output.terminal import console

    out = console()
    if sys.stdout.isatty():
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
