"""Finding and creating workspaces: a folder holding recommendations.yaml and status/."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError

MARKER = "recommendations.yaml"
GITIGNORE = "# tracker.db is derived from the YAML and rebuilt on demand\ntracker.db\n.tracker.db.*.tmp\n"


def find_root(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """--root, else TRACKER_ROOT, else the nearest folder upwards holding recommendations.yaml."""
    if explicit is None and os.environ.get("TRACKER_ROOT"):
        explicit = Path(os.environ["TRACKER_ROOT"])
    if explicit is not None:
        if not (explicit / MARKER).is_file():
            raise UsageError(f"{explicit} is not a tracker workspace (no {MARKER}); create one with `tracker init DIR`")
        return explicit
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise UsageError(f"no {MARKER} in {here} or any parent folder; use --root DIR or create a workspace with `tracker init DIR`")


def default_data() -> bytes:
    from importlib import resources

    return resources.files("tracker").joinpath("data", MARKER).read_bytes()


def init(target: Path) -> list[Path]:
    """Create a workspace in `target` with the default data; never overwrites anything."""
    if (target / MARKER).exists():
        raise UsageError(f"{target / MARKER} already exists; refusing to overwrite it")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    target.mkdir(parents=True, exist_ok=True)
    created = []
    status = target / "status"
    status.mkdir(exist_ok=True)
    keep = status / ".gitkeep"
    if not keep.exists():
        keep.write_bytes(b"")
        created.append(keep)
    ignore = target / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
        created.append(ignore)
    # Written last, through a temporary file, so an interrupted init leaves no half workspace.
    tmp = target / f".{MARKER}.tmp"
    tmp.write_bytes(default_data())
    os.replace(tmp, target / MARKER)
    created.insert(0, target / MARKER)
    return created
