"""What every benchmark here shares: timing a command, describing the machine, saving results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def timed(command: list[str], cwd: Path) -> float:
    """Wall time of one run of `command`, which must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


# Runs a command and reports its peak memory. A small process of its own starts it: on Linux a
# child's peak counts the memory of the process it was forked from, and a benchmark that has just
# parsed 30 MB of YAML itself is not small.
_PEAK = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def timed_with_memory(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak memory (MiB) of one run of `command`, which must succeed."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _PEAK, *command], cwd=cwd, stderr=subprocess.PIPE, text=True, check=True)
    return time.perf_counter() - started, int(result.stderr.split()[-1]) / 1024  # KiB on Linux


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
