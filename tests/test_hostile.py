"""Hostile and unlucky input, black-box through the installed command: a case for each promise of a tracker of record."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO


def tracker(root: Path, *args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("tracker", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "tracker"]
    environment = {k: v for k, v in os.environ.items() if k != "TRACKER_ROOT"} | {"TRACKER_AUTHOR": "Tester"} | (env or {})
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*command, "--root", str(root), *args], env=environment, capture_output=True, text=True, timeout=60, **kw
    )


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A copy of this repository's workspace: its recommendations and its public record of returns."""
    root = tmp_path / "board"
    root.mkdir()
    shutil.copy(REPO / "recommendations.yaml", root)
    shutil.copytree(REPO / "status", root / "status")
    return root


# -- 9. The cache cannot lie -------------------------------------------------------------------


def test_a_file_replaced_with_the_same_size_and_time_is_read_again(board: Path) -> None:
    before = tracker(board, "export").stdout.count(",red,")
    path = board / "status" / "DWP.yaml"
    text = path.read_text(encoding="utf-8")
    assert "rag: green" in text
    stat = path.stat()
    edited = board / "edited.yaml"
    edited.write_text(text.replace("rag: green", "rag: red  ", 1), encoding="utf-8")  # same size
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    shutil.copy2(edited, path)  # as `cp -p` does: same size, same modification time
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert tracker(board, "export").stdout.count(",red,") == before + 1
