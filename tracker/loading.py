"""The one load-and-validate: recommendations.yaml and status files read and checked against every
rule, the same way for `check`, the sync and recording."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from .domain.problem import Problem
from .domain.recommendations import Dataset
from .domain.returns import check_status_file, code_of_file
from .workspace import MARKER

if TYPE_CHECKING:
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


def load_status_file(raw: bytes, shown: str, data: Dataset, today: date | None = None) -> StatusFile:
    """A status file's returns and every rule they break; DataError if it cannot be read.

    `today` also rules out returns dated in the future (check does; loading leaves the clock out).
    """
    from .domain.corrections import correction_problems
    from .yamlio.returns import read_status_file

    with without_gc():
        status = read_status_file(raw, shown)
        problems = check_status_file(status.returns, code_of_file(shown), data, today)
        problems += correction_problems(status.returns, status.corrections, data, today)
        return status._replace(problems=status.problems + problems)
