"""The README's "Where things live" is the map of the package: every module on it, and nothing that is not there."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tracker"


def _entries() -> dict[str, str]:
    """Each top-level entry of the map (`cli.py`, `commands/`) with its description."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Where things live", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    name = ""
    for line in block.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   "):
            name, _, description = line.strip().partition(" ")
            entries[name] = description
        elif name:
            entries[name] += " " + line.strip()
    return entries


def _modules(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.py") if p.name != "__init__.py"}


def test_every_module_and_folder_of_the_package_is_on_the_map_and_nothing_else() -> None:
    entries = _entries()
    there = {p.name + ("/" if p.is_dir() else "") for p in PACKAGE.iterdir() if p.name not in ("__init__.py", "__pycache__")}
    assert set(entries) == there


def test_every_module_in_a_folder_is_named_and_every_file_named_exists() -> None:
    for name, description in _entries().items():
        if not name.endswith("/") or name == "data/":
            continue
        folder = PACKAGE / name
        words = set(re.findall(r"[\w-]+", description))
        missing = {m for m in _modules(folder) if m not in words and m.replace("_", "-") not in words}
        assert not missing, f"{name} in README's map does not name {sorted(missing)}"
        named = set(re.findall(r"\b([\w]+)\.py\b", description))
        assert named <= _modules(folder), f"{name} in README's map names {sorted(named - _modules(folder))}, not in {name}"


def test_every_module_says_what_it_is_for() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.stat().st_size == 0:
            continue
        first = path.read_text(encoding="utf-8").lstrip()
        assert first.startswith('"""'), f"{path.relative_to(REPO)} has no docstring saying what it is for"
