"""The tracker app: its global options, the one error boundary, and the commands in commands/.

Only typer and the standard library are imported here; each command imports what it needs.
"""

# No `from __future__ import annotations`: typer reads the options' annotations as they are, where
# strings would have it compile and evaluate each one at every start (see commands/paper.py).

import importlib
import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import commands
from .commands.completion import COMPLETE_VAR
from .errors import ExitCode, Interrupted, TrackerError, Untrusted, from_machine, held_until_exit, silence_stdout
from .output.text import clean


def _say(message: str) -> None:
    """One line on stderr, whatever the message holds: no control characters, no line breaks, and no
    value of 100 KB quoted whole (click quotes an argument it refuses as it was given)."""
    line = " ".join(clean(message).split("\n"))
    if len(line) > 1000:
        import re

        line = re.sub(r"\S{257,}", lambda m: m[0][:128] + "…" + m[0][-2:] * (m[0][-1:] in "'\""), line)
    try:
        typer.echo(f"tracker: error: {line}", err=True)
    except OSError:  # stderr itself is gone: the exit code still tells
        pass


def _fail(code: int, message: str) -> int:
    _say(message)
    silence_stdout()
    return code


class _Group(TyperGroup):
    """The one error boundary: a failure becomes one line on stderr and a documented exit code.

    A TrackerError is the user's mistake or the data's; what the machine refuses (a file that
    cannot be read or written, a locked or broken database, an output that cannot take the text)
    is reported the same way, never as a traceback. Anything else is a bug and surfaces as one.
    """

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        failure: TrackerError | None
        try:
            untrusted = False
            # What click takes apart as it invokes the command: kept, to invoke it again.
            protected = "_protected_args" if hasattr(ctx, "_protected_args") else "protected_args"
            args = (list(getattr(ctx, protected)), list(ctx.args))
            try:
                result = super().invoke(ctx)
            except Untrusted:
                untrusted = True
            if untrusted:
                # Another program changed tracker.db: it is rebuilt from the YAML, and the command
                # runs once more on it (nothing was written or printed before the database was read).
                from tracker.commands._context import rebuild_database

                rebuild_database(ctx)
                setattr(ctx, protected, args[0])
                ctx.args = args[1]
                result = super().invoke(ctx)
            sys.stdout.flush()  # inside the boundary: a full disk or a closed pipe is reported too
            return result
        except KeyboardInterrupt:
            failure = Interrupted("interrupted")
        except TrackerError as e:
            failure = e
        except Exception as e:
            failure = from_machine(e)
            if failure is None:
                raise
        _say(str(failure))
        ctx.exit(failure.exit_code)

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: str | None = None, standalone_mode: bool = True, **extra: Any
    ) -> Any:
        """Usage errors, Ctrl-C outside a command and output that cannot be written are one line too."""
        import click

        try:
            code = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
            sys.stdout.flush()  # --help and --version print outside any command
        except click.ClickException as e:
            if type(e).__name__ == "NoArgsIsHelpError":  # `tracker` alone: its help, as asked
                e.show()
                code = e.exit_code
            else:
                ctx = e.ctx if isinstance(e, click.UsageError) else None
                where = f"; see `{ctx.command_path} --help`" if ctx is not None else ""
                code = _fail(e.exit_code, e.format_message().rstrip(".") + where)
        except click.exceptions.Abort:
            code = _fail(ExitCode.INTERRUPTED, "interrupted")
        except OSError as e:
            code = _fail(ExitCode.DATA, str(from_machine(e)))
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return sorted(self.commands)

    def _main_shell_completion(self, ctx_args: MutableMapping[str, Any], prog_name: str, complete_var: str | None = None) -> None:
        """Shell completion (`tracker completion SHELL` prints the script). Typer's own, without its
        --install-completion option, reads the instruction the other way round from the scripts
        and lets a traceback out; commands/completion.py speaks click's protocol, silently."""
        instruction = os.environ.get(COMPLETE_VAR)
        if instruction:
            from .commands.completion import complete

            sys.exit(complete(self, instruction))


def _typer() -> typer.Typer:
    return typer.Typer(
        cls=_Group,
        name="tracker",
        help="Follow up the recommendations of Dame Carol Black's Review of drugs part two.",
        # Plain help (no rich) keeps every command fast to start; we print our own errors.
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        no_args_is_help=True,
    )


app = _typer()


def version() -> str:
    """tracker's version, as its package metadata says (the one place it is written is pyproject.toml)."""
    from .about import version as installed

    return installed() or "(not installed)"


def _version(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # not while a shell completes `tracker --version …`
        typer.echo(f"tracker {version()}")
        raise typer.Exit()


def _options(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root", help="Workspace folder (default: TRACKER_ROOT, else the nearest folder upwards with recommendations.yaml)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    if os.environ.get("TRACKER_TODAY"):  # a malformed day is refused by every command, not only those that ask it
        from .commands._context import today

        today()
    ctx.obj = root


app.callback()(_options)
# Every module in commands/ whose name does not start with `_` is a group of commands, found by
# globbing the folder rather than through pkgutil, whose import alone costs a tenth of start-up.
_apps: dict[str, typer.Typer] = {}  # each command's name, and the typer app of its module
for _module in sorted(Path(commands.__file__).parent.glob("[!_]*.py")):
    _sub = importlib.import_module(f"{commands.__name__}.{_module.stem}").app
    app.add_typer(_sub)
    for _info in _sub.registered_commands:
        _apps[_info.name or _info.callback.__name__.strip("_").replace("_", "-")] = _sub
    for _group in _sub.registered_groups:  # a command with commands of its own: `tracker action add`
        _apps[_group.name or _group.typer_instance.info.name] = _sub


def _only(argv: list[str]) -> typer.Typer:
    """The app with only the command `argv` names, if it names one: typer builds every command it
    holds before running one, and building them all costs more than the rest of a quick command."""
    rest = iter(argv)
    for arg in rest:
        if arg == "--root":
            next(rest, None)
        elif not arg.startswith("-"):
            if arg not in _apps:
                break
            one = _typer()
            one.callback()(_options)
            one.add_typer(_apps[arg])
            return one
    return app


class _Closed:
    """Standard output or error when the process was started without it (`tracker report >&-`):
    writing to it fails as writing to a closed file does, so the exit code tells that nothing
    was shown, where Python would give None and a traceback."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, data: object) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("standard output is closed")

    @property
    def buffer(self) -> "_Closed":
        return self


def main() -> None:
    """The `tracker` command, as a process of its own: interruptions held off by a command stay
    held until the process has exited (in-process callers of `app` release them when it ends)."""
    if sys.stdout is None:
        sys.stdout = _Closed()
    if sys.stderr is None:
        sys.stderr = _Closed()
    held_until_exit()
    try:
        # A shell completing a word needs every command; it gives the words in COMP_WORDS, not argv.
        (app if COMPLETE_VAR in os.environ else _only(sys.argv[1:]))()
    except KeyboardInterrupt:  # outside a command (while parsing its options, say): nothing was written
        typer.echo("tracker: error: interrupted", err=True)
        sys.exit(130)
