"""The one load-and-validate: recommendations.yaml and status files read and checked against every
rule, the same way for `check`, the sync and recording."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .domain.problem import Problem
from .domain.recommendations import Dataset
from .domain.returns import check_status_file, code_of_file
from .errors import DataError
from .workspace import MARKER, OUTCOME_VALUES, OUTCOMES, is_definition, source_key

if TYPE_CHECKING:
    from .domain.board import Action, ActionUpdate, MeetingNotes
    from .yamlio.returns import StatusFile


@contextmanager
def without_gc() -> Iterator[None]:
    """Reading YAML (or a large import) builds millions of short-lived objects and no cycles among
    them: the cycle collector would only scan them, again and again (a third of the time on a long file)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_recommendations(raw: bytes, shown: str = MARKER) -> tuple[Dataset, list[Problem]]:
    """recommendations.yaml's data and every rule it breaks; DataError if it cannot be read."""
    from .yamlio.recommendations import parse_recommendations

    return parse_recommendations(raw, shown)


def load_dataset(read: Callable[[str], bytes], names: Iterable[str]) -> tuple[Dataset, list[Problem]]:
    """What the workspace follows: recommendations.yaml and every source among `names`
    (sources/KEY.yaml), put together, with every rule they break; DataError if one cannot be read.
    `read(name)` gives a file's bytes."""
    from .yamlio.recommendations import parse_recommendations, parse_source

    names = [name for name in names if is_definition(name) and name != MARKER]
    if not names:
        return parse_recommendations(read(MARKER), MARKER)
    from .domain.sources import combine

    review, problems = parse_recommendations(read(MARKER), MARKER, validated=False)
    parsed = []
    for name in names:
        source, found = parse_source(read(name), name, source_key(name))
        problems += found
        if source is not None:
            parsed.append(source)
    data, more = combine(review, parsed)
    return data, problems + more


def partnership_files(partnership: str, today: date) -> dict[str, bytes]:
    """What `tracker init --partnership` writes, by path: recommendations.yaml and sources/plan.yaml."""
    from .workspace import default_data, default_file
    from .yamlio.sources import partnership_files as made

    review, plan = made(partnership, today, default_data(), default_file("plan.yaml"))
    # The values tracker ships are England's: a partnership records its own area's, from none.
    national = default_file(OUTCOME_VALUES).decode("utf-8")
    header = "".join(line for line in national.splitlines(keepends=True) if line.startswith("#"))
    local = (
        f"{header}#\n# The partnership's own figures for its area: the national values tracker ships with are not\n"
        "# copied here, so that the paper's outcomes compare the area's figures with each other.\n"
    )
    from .yamlio.sources import local_outcomes

    framework = local_outcomes(default_file(OUTCOMES))
    return {MARKER: review, "sources/plan.yaml": plan, OUTCOMES: framework, OUTCOME_VALUES: local.encode("utf-8")}


def load_workspace_dataset(root: Path) -> tuple[Dataset, list[Problem]]:
    """load_dataset of the workspace at `root`, read from its files as they are."""
    from .workspace import read, yaml_files

    files = yaml_files(root)
    return load_dataset(lambda name: read(files[name], name)[0], files)


def load_status_file(raw: bytes, shown: str, data: Dataset, today: date | None = None) -> StatusFile:
    """A status file's returns and every rule they break; DataError if it cannot be read.

    `today` also rules out returns dated in the future (check does; loading leaves the clock out).
    """
    from .domain.corrections import correction_problems
    from .yamlio.returns import read_status_file

    with without_gc():
        status = read_status_file(raw, shown, refs=data.number_of if data.several else None)
        problems = check_status_file(status.returns, code_of_file(shown), data, today)
        problems += correction_problems(status.returns, status.corrections, data, today)
        return status._replace(problems=status.problems + problems)


class BoardRecord(NamedTuple):
    """The secretariat's own record as read: the actions log, each meeting's words, and every rule they break."""

    actions: list[Action]
    updates: list[ActionUpdate]
    notes: list[MeetingNotes]
    problems: list[Problem]

    def refused(self) -> BoardRecord:
        """The record, for a command that shows it: DataError naming the first rule it breaks, if any."""
        if self.problems:
            first = self.problems[0]
            raise DataError(f"{first.detail()} (tracker check lists every problem)", first.file, first.line)
        return self


def load_board_record(root: Path, data: Dataset, today: date | None = None) -> BoardRecord:
    """actions.yaml and meetings.yaml, read and checked (either may be absent); DataError if one
    cannot be read. `today` also rules out actions and updates dated in the future."""
    from .domain.board import ACTIONS, MEETINGS, check_actions, check_meetings

    record = BoardRecord([], [], [], [])
    for name in (ACTIONS, MEETINGS):
        raw = board_file(root, name)
        if raw is None:
            continue
        from .yamlio.board import read_actions, read_meetings

        if name == ACTIONS:
            actions, updates, problems = read_actions(raw, name, data.number_of if data.several else None)
            record.actions.extend(actions)
            record.updates.extend(updates)
            record.problems.extend(problems + check_actions(actions, updates, data, today))
        else:
            notes, problems = read_meetings(raw, name)
            record.notes.extend(notes)
            record.problems.extend(problems + check_meetings(notes, data))
    return record


def board_file(root: Path, name: str) -> bytes | None:
    """The bytes of the secretariat's file `name`, or None if the workspace has none; never through
    a link out of the workspace."""
    import os

    from .workspace import read, stays_inside

    path = root / name
    if not os.path.lexists(path):
        return None
    if path.is_symlink():
        stays_inside(root, name)
    return read(path, name)[0]
