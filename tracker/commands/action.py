"""tracker action: the board's actions log (actions.yaml): add, update, close and list actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tracker.errors import UsageError

from . import _context, _options, _out

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracker.domain.board import Action, ActionUpdate

app = typer.Typer()
actions = typer.Typer(
    name="action",
    help="The board's actions log (actions.yaml): add, update, close and list the actions its meetings raise.",
    no_args_is_help=True,
)
app.add_typer(actions)


def _statuses() -> list[str]:
    from tracker.domain.board import STATUSES

    return list(STATUSES)


Ref = Annotated[str, typer.Argument(help="The action's reference, e.g. A3 (or 3).")]
Note = Annotated[str | None, typer.Option("--note", help="What happened, for the log.")]
On = Annotated[str | None, typer.Option("--date", help="The update's date, YYYY-MM-DD (default: today).")]


@actions.command("add")
def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The action, in the words the minutes use.")],
    owner: Annotated[str, typer.Option("--owner", help="Who is to do it: a person, a body or a code.")] = "",
    due: Annotated[str | None, typer.Option("--due", help="When it is due, YYYY-MM-DD.")] = None,
    raised: Annotated[
        str | None,
        typer.Option(
            "--raised", help="The meeting that raised it, YYYY-MM-DD (default: the board's latest meeting, else today)."
        ),
    ] = None,
    recommendation: Annotated[
        list[str] | None,
        typer.Option(
            "--recommendation",
            help="A recommendation it concerns (or another source's item, by its ref); repeatable.",
            autocompletion=_options.NUMBERS,
        ),
    ] = None,
) -> None:
    """Add an action raised at a meeting: it gets the next reference (A1, A2, ...)."""
    from tracker.domain.board import Action
    from tracker.domain.returns import check_text

    if not owner.strip():
        raise UsageError("--owner is required: who is to do it")
    data, today = _context.dataset(ctx), _context.today()
    with _options.option("the action's text"):
        words = check_text(text)
    with _options.option("--owner"):
        who = check_text(owner)
    held = next((m for m in reversed(data.board.meetings) if m <= today), today)  # the latest meeting held
    meeting = _options.option_date(raised, "--raised", held)
    by = _options.option_date(due, "--due", meeting) if due is not None else None
    numbers = []
    for n in recommendation or []:
        with _options.option("--recommendation"):
            numbers.append(data.lookup(n).number)
    _record(ctx, lambda ref: Action(ref, meeting, words, who, by, tuple(sorted(set(numbers)))))


@actions.command("update")
def update(
    ctx: typer.Context,
    ref: Ref,
    status: Annotated[
        str | None, typer.Option("--status", help="open, in-progress, done or dropped.", autocompletion=_statuses)
    ] = None,
    note: Note = None,
    due: Annotated[str | None, typer.Option("--due", help="A new due date, YYYY-MM-DD.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="A new owner.")] = None,
    on: On = None,
) -> None:
    """Update an action: its status, due date or owner, with a note. The action itself is never edited."""
    from tracker.domain.board import STATUSES

    if status is None and note is None and due is None and owner is None:
        raise UsageError("give what changed: --status, --note, --due or --owner")
    if status is not None and status.strip().lower() not in STATUSES:
        raise UsageError(f"--status: {status!r} is not one of: {', '.join(STATUSES)}")
    _update(ctx, ref, status.strip().lower() if status is not None else None, note, due, owner, on)


@actions.command("close")
def close(
    ctx: typer.Context,
    ref: Ref,
    note: Note = None,
    dropped: Annotated[bool, typer.Option("--dropped", help="Closed without being done (the board dropped it).")] = False,
    on: On = None,
) -> None:
    """Close an action as done (or --dropped), with a note."""
    _update(ctx, ref, "dropped" if dropped else "done", note, None, None, on)


@actions.command("list")
def list_(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only the actions not yet done or dropped.")] = False,
    as_of: _options.AsOf = None,
    format: Annotated[str, _options.format_option("text", "json", "csv")] = "text",
) -> None:
    """List the actions log: each action as it stands, its status, due date and latest note."""
    from tracker.domain.board import action_states
    from tracker.loading import load_board_record

    data = _context.dataset(ctx)
    day = _options.as_of_date(as_of, data)
    record = load_board_record(_context.root(ctx), data, _context.today()).refused()
    states = [s for s in action_states(record.actions, record.updates, day) if not (open_only and s.closed)]
    if format == "json":
        from tracker.output.jsonout import action_dict, to_json

        _out.write(to_json({"as_of": day.isoformat(), "actions": [action_dict(s, day, data) for s in states]}))
    elif format == "csv":
        from tracker.output.csvout import actions_csv

        _out.write(actions_csv(states, day, data))
    else:
        from tracker.output.plain import actions_text

        _out.write(actions_text(states, day, _out.width()))


def _update(
    ctx: typer.Context, ref: str, status: str | None, note: str | None, due: str | None, owner: str | None, on: str | None
) -> None:
    from tracker.domain.board import ActionUpdate, action_id
    from tracker.domain.returns import check_text

    found = action_id(ref)
    if found is None:
        raise UsageError(f"{ref!r} is not an action's reference (A1, A2, ...)")
    today = _context.today()
    day = _options.option_date(on, "--date", today)
    texts: dict[str, str | None] = {"note": None, "owner": None}
    for name, value in (("note", note), ("owner", owner)):
        if value is not None:
            with _options.option(f"--{name}"):
                texts[name] = check_text(value)
    by = _options.option_date(due, "--due", day) if due is not None else None
    _record(ctx, lambda _: ActionUpdate(found, day, status, texts["note"], by, texts["owner"]))


def _record(ctx: typer.Context, make: Callable[[str], Action | ActionUpdate]) -> None:
    """Append the block `make(next reference)` gives to actions.yaml and say what was recorded."""
    from tracker.recording import add_to_actions_log

    today = _context.today()
    added = add_to_actions_log(_context.root(ctx), _context.dataset(ctx), today, make)
    if added.line is None:
        _out.write_after_recording(f"{added.entry.ref} is already {added.status}: nothing was added\n")
        return
    from tracker.domain.board import Action
    from tracker.output.plain import action_recorded

    entry = added.entry
    day = max(today, entry.raised if isinstance(entry, Action) else entry.date)
    _out.write_after_recording(action_recorded(entry, f"actions.yaml:{added.line}", added.states(day)))
