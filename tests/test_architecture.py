"""Each module keeps to its room: who may import which library and which part of tracker, and what starting loads."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest brings tomli on Python 3.10
    import tomli as tomllib

from .conftest import REPO

PACKAGE = REPO / "tracker"
# The one home of each library; ruff's banned-api table in pyproject.toml must say the same. None: no
# module of tracker, only the tests (python-docx reads the Word paper back; tracker writes it with the
# standard library).
OWNERS: dict[str, str | None] = {
    "rich": "tracker/output/terminal.py",
    "yaml": "tracker/yamlio/",
    "sqlite_utils": "tracker/db/",
    "sqlite3": "tracker/db/",
    "filelock": "tracker/workspace.py",
    "openpyxl": "tracker/packs.py",
    "docx": None,
    "PIL": "tracker/output/chart.py",
}
# The layers: which parts of tracker each part may import.
MAY_IMPORT = {
    "domain": {"domain", "errors"},
    "errors": set(),
    "yamlio": {"yamlio", "domain", "errors"},
    "db": {"db", "domain", "errors"},
    "workspace": {"errors"},
    "loading": {"domain", "errors", "workspace", "yamlio"},
    "standings": {"db", "domain"},
    "sync": {"db", "domain", "errors", "loading", "standings", "workspace", "yamlio"},
    "recording": {"db", "domain", "errors", "loading", "standings", "sync", "workspace", "yamlio"},
    "gathering": {"db", "domain", "errors", "standings", "sync", "workspace"},
    "csvio": {"domain", "errors", "output"},
    "packs": {"csvio", "domain", "errors", "output", "xlsx"},
    "xlsx": {"errors"},
    "output": {"output", "domain"},
    "commands": {
        "about",
        "commands",
        "db",
        "domain",
        "errors",
        "output",
        "recording",
        "gathering",
        "loading",
        "standings",
        "sync",
        "workspace",
        "csvio",
        "packs",
    },
    "cli": {"about", "commands", "errors", "output"},
    "about": set(),
    "__init__": set(),
    "__main__": {"cli"},
}
# What a pure module (the rules, and the renderers that turn them into text) may import from the
# standard library: nothing that touches files, processes, the clock's "now" or the terminal.
PURE = ("domain", "output")
PURE_STDLIB = {"__future__", "collections", "csv", "dataclasses", "datetime", "enum", "functools", "io", "json"}
PURE_STDLIB |= {"re", "shlex", "textwrap", "typing", "unicodedata", "urllib", "html", "math", "zipfile", "bisect"}
# The one file a renderer reads: the Word paper's template parts, which are the package's own data.
READS_PACKAGE_DATA = {"tracker/output/word.py": {"importlib"}}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def part(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


@functools.cache
def parsed(path: Path) -> ast.Module:
    """The module's syntax tree, read once for all the tests here."""
    return ast.parse(path.read_text(encoding="utf-8"))


def imports(path: Path) -> set[str]:
    """Every module `path` imports, by absolute name (relative imports resolved)."""
    tree = parsed(path)
    package = ".".join(("tracker", *path.relative_to(PACKAGE).parent.parts))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            if node.module is None or module == "tracker":
                found.update(f"{module}.{a.name}" for a in node.names)
    return found


def test_ruff_and_this_test_agree_on_who_may_import_each_library() -> None:
    lint = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    banned = lint["flake8-tidy-imports"]["banned-api"]
    assert set(banned) == set(OWNERS)
    for library, owner in OWNERS.items():
        assert (owner or "only tests/") in banned[library]["msg"], library
    exempt = {glob for glob, rules in lint["per-file-ignores"].items() if "TID251" in rules}
    assert exempt == {o + "*.py" if o.endswith("/") else o for o in OWNERS.values() if o} | {"tests/**", "bench/**"}


def test_only_its_home_may_use_each_library() -> None:
    for path in modules():
        where = path.relative_to(REPO).as_posix()
        for library, owner in OWNERS.items():
            if any(m == library or m.startswith(library + ".") for m in imports(path)):
                assert owner and where.startswith(owner), f"{where} imports {library}; only {owner or 'the tests'} may"


def test_each_part_imports_only_the_parts_below_it() -> None:
    assert {part(p) for p in modules()} == set(MAY_IMPORT), "a new part of the package needs a line in MAY_IMPORT"
    for path in modules():
        used = {m.split(".")[1] for m in imports(path) if m.startswith("tracker.")}
        assert used <= MAY_IMPORT[part(path)], f"{path.relative_to(REPO)} imports tracker.{used - MAY_IMPORT[part(path)]}"


def test_the_rules_and_the_renderers_do_no_io() -> None:
    for path in modules():
        if part(path) in PURE:
            stdlib = {m.split(".")[0] for m in imports(path) if not m.startswith("tracker")}
            allowed = PURE_STDLIB | {"rich", "PIL"} | READS_PACKAGE_DATA.get(path.relative_to(REPO).as_posix(), set())
            assert stdlib <= allowed, f"{path.relative_to(REPO)} imports {stdlib - allowed}"


# Ways of asking the clock for the date or the time.
CLOCK = {("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"), ("time", "time")}
CLOCK |= {("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"), ("time", "ctime"), ("time", "strftime")}


def test_one_function_asks_the_clock() -> None:
    asked = []
    for path in modules():
        tree = parsed(path)
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
                if (name, node.func.attr) in CLOCK:
                    within = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
                    innermost = max(within, key=lambda f: f.lineno).name if within else None
                    asked.append((path.relative_to(REPO).as_posix(), innermost))
    # Everything else is given the day: so TRACKER_TODAY sets it for every command.
    assert asked == [("tracker/commands/_context.py", "today")], "ask commands._context.today() for the day, never the clock"


def test_starting_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, tracker.cli; "
        "print(' '.join(m for m in ('rich', 'yaml', 'sqlite_utils', 'sqlite3', 'filelock', 'openpyxl', 'docx', 'PIL', 'lxml')"
        " if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
