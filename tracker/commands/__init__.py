"""The commands: one module per command or small group, each with its own `app = typer.Typer()`.

cli.py adds every module here whose name does not start with `_` to the tracker app, so a new
command is a new module. A command parses its options, calls the domain, hands the result to a
renderer in output/ and prints it. What several commands share: `_context.py` (the workspace, the
day, the database, standings on dates, recording), `_options.py` (the options they take and what
they complete with) and `_out.py` (where a result goes and how it is printed).
"""
