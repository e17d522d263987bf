"""Where a command's result goes: standard output, or the file its --out (or --config) names.

One home for what paper, pack and datasette-metadata share: `-` and /dev/stdout mean standard
output itself; a file's format follows its extension; a binary document is kept off a terminal;
the folder is checked before any work is done; the file is written atomically, never over the
workspace's record; and the user is told what was written, on stderr.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from . import _common


@dataclass(frozen=True)
class Out:
    """The destination an option names: `path` None is standard output."""

    path: Path | None
    option: str = "--out"

    @classmethod
    def of(cls, path: Path | None, option: str = "--out") -> Out:
        return cls(None if path is None or _common.names_stdout(path) else path, option)

    @property
    def suffix(self) -> str:
        """The file's extension in lower case ('' for stdout); a file named only `.docx` has one."""
        return Path("x" + self.path.name).suffix.lower() if self.path is not None else ""

    @property
    def terminal(self) -> bool:
        """Whether it goes to a terminal: stdout at one, or a terminal named as a file (/dev/tty)."""
        return sys.stdout.isatty() if self.path is None else _common.is_terminal(self.path)

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
            raise UsageError(f"--format {given}: {self.option} {self.path} is named as a {named} file")
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
                _common.write(content)
            return
        if isinstance(content, str):
            if self.terminal:  # a terminal named as a file gets what stdout would: text neutralised
                from tracker.output.text import clean

                content = clean(content)
            content = content.encode("utf-8")
        from tracker.workspace import write_out

        write_out(_common.root(ctx), self.path, content, self.option)
        _common.echo(f"wrote {self.path}{note}", err=True)
