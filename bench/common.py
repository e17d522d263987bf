"""What every benchmark here shares: timing a command, describing the machine, saving results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def timed(command: list[str], cwd: Path) -> float:
    """Wall time of one run of `command`, which must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def timed_with_memory(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak memory (MiB) of one run of `command`, which must succeed."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, command
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def save(name: str, report: str, document: dict[str, object]) -> None:
    """Write results/NAME.md and results/NAME.json, and print the report."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(report, encoding="utf-8")
    (RESULTS / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(report)
