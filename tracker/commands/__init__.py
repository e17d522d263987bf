"""The commands: one module per command or small group, each with its own `app = typer.Typer()`.

cli.py adds every module here whose name does not start with `_` to the tracker app, so a new
command is a new module. A command parses its options, calls the domain, hands the result to a
renderer in output/ and prints it; `_common.py` holds what several commands share.
"""
