"""A broken rule, located in a file: what `tracker check` reports and errors are made of."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One broken rule, located in a file."""

    file: str
    line: int | None
    message: str
    recommendation: int | str | None = None  # a review's number, or another source's item by its ref
    field: str | None = None

    def detail(self) -> str:
        """The problem without its file and line: `recommendation 5: owners: has no owner`."""
        rec = self.recommendation
        parts = [] if rec is None else [f"recommendation {rec}" if isinstance(rec, int) else str(rec)]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.detail()}"
