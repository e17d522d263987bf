"""What tracker is, as installed: the name it is distributed under and its version."""

from __future__ import annotations

# The name on the package index; the command and the package are `tracker` (on PyPI, "tracker"
# is an unrelated project). pyproject.toml's `name` says the same, and a test checks it.
DISTRIBUTION = "drugs-review-tracker"


def version() -> str | None:
    """tracker's version as its installed metadata says (written once, in pyproject.toml); None
    when it runs from a folder without being installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return None
