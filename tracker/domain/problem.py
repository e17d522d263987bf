"""A broken rule, located in a file: what `tracker check` reports and errors are made of."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One broken rule, located in a file."""

    file: str
    line: int | None
    message: str
    recommendation: int | None = None
    field: str | None = None

    def detail(self) -> str:
        """The problem without its file and line: `recommendation 5: owners: has no owner`."""
        parts = [f"recommendation {self.recommendation}"] if self.recommendation is not None else []
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.detail()}"
