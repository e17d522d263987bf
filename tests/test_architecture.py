"""Each module keeps to its room: who may import rich, yaml and SQL, and what cli.py loads at start."""

from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import REPO

PACKAGE = REPO / "tracker"
OWNERS = {"rich": "render.py", "yaml": "sources.py", "sqlite_utils": "db.py", "sqlite3": "db.py"}


def imports(path: object) -> set[str]:
    tree = ast.parse(PACKAGE.joinpath(str(path)).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_one_module_may_use_each_library() -> None:
    for path in PACKAGE.glob("*.py"):
        for library in imports(path.name) & set(OWNERS):
            assert path.name == OWNERS[library], f"{path.name} imports {library}; only {OWNERS[library]} may"


def test_the_domain_does_no_io() -> None:
    for module in ("domain.py", "updates.py"):
        assert imports(module) <= {"__future__", "collections", "dataclasses", "datetime", "enum", "re"}, module


def test_starting_the_cli_loads_no_heavy_library() -> None:
    code = "import sys, tracker.cli; print(' '.join(m for m in ('rich', 'yaml', 'sqlite_utils', 'sqlite3') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
