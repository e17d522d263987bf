"""tracker completion: the script that lets a shell complete tracker's words, and the protocol it speaks.

The script runs `tracker` with _TRACKER_COMPLETE set to `<shell>_complete` and the words typed so
far in COMP_WORDS and COMP_CWORD; tracker answers with the candidates (click's own protocol and
scripts). Commands, options and choices come from the app itself; recommendation numbers and
department codes from the workspace's data (commands/_options.py, complete_number and complete_dept).
"""

from __future__ import annotations

import sys
from typing import Annotated

import click
import typer

app = typer.Typer()

COMPLETE_VAR = "_TRACKER_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(click_type=click.Choice(SHELLS), metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the script that makes SHELL complete tracker's commands, options, recommendations and departments.

    Load it where the shell starts: in ~/.bashrc, eval "$(tracker completion bash)"; in ~/.zshrc,
    after compinit, eval "$(tracker completion zsh)"; for fish, save it as
    ~/.config/fish/completions/tracker.fish.
    """
    typer.echo(_script(shell), nl=False)


def _script(shell: str) -> str:
    from click.shell_completion import get_completion_class

    script = get_completion_class(shell)
    assert script is not None  # click has a class for each of SHELLS
    source = script(click.Command("tracker"), {}, "tracker", COMPLETE_VAR).source()
    # click's fish script splits each answer at every comma, so a title's first comma would end its
    # description: split once, after the kind of answer.
    return source.replace('(string split "," $completion)', '(string split -m 1 "," $completion)')


def complete(cli: click.Command, instruction: str) -> int:
    """Answer the shell's script, as `instruction` (`bash_complete`, `zsh_source`, …) asks: the exit
    code. Nothing is ever written to stderr: whatever goes wrong, the shell is offered nothing."""
    from click.shell_completion import get_completion_class

    shell, _, action = instruction.partition("_")
    script = get_completion_class(shell) if shell in SHELLS else None
    if script is None or action not in ("complete", "source"):
        return 1
    try:
        from typer import models

        # typer answers a path with nothing, so that its own scripts fall back on the shell's file
        # names; click's scripts are told to complete files (`file,` then the shell lists them).
        if hasattr(models, "TyperPath"):
            models.TyperPath.shell_complete = click.Path.shell_complete  # type: ignore[method-assign]
        text = script(cli, {}, "tracker", COMPLETE_VAR).complete() + "\n" if action == "complete" else _script(shell)
        # Bytes, as click writes them: Windows would turn a text stream's line ends into CRLF.
        sys.stdout.buffer.write(text.encode())
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt):
        return 1
    return 0
