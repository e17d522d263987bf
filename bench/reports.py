"""Reads against the length of the history, measured side by side.

tracker's reads on synthetic workspaces of 100,000 and 1,000,000 returns (bench/synthetic.py,
spread over the owning departments' files) against the same commands on the default data, this
repository's recommendations and assessments with no returns, interleaved round by round so that
machine noise hits them all alike. Each command's median wall time, its ratio to the default data,
and its peak memory (one more run each, through a small process that reads its children's peak).

Targets, each printed as met or not:
- `report` and the markdown `paper` at 100,000 returns: at most 1.5x the default data;
- `trend`, and the HTML paper's dashboard, at 1,000,000 returns: at most 1.5x and under 512 MiB.

The dashboard is measured as the HTML paper with one day's changes (`--since` the day before): the
paper lists every return received since its `--since`, and a synthetic board of 1,000,000 returns
receives about 47,000 in a quarter, so the whole paper's cost there is that list (shown, with no
target: it grows with what arrived, not with the history before it).

    python bench/reports.py [--sizes 100000 1000000] [--rounds 10] [--cache DIR] [--tracker PATH]

The synthetic workspaces are built once and kept in --cache (default: a folder in the temporary
folder, one for each checkout) with their tracker.db: a run after tracker's code changed spends a
minute or two rebuilding the largest database, untimed, then a few minutes measuring. --tracker
measures another installed tracker (an earlier version, say) the same way; give it a --cache of its
own, as each version builds its own database.

Writes bench/results/reports.md and bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from common import machine, save, stamp, timed, timed_with_memory  # noqa: E402
from synthetic import build  # noqa: E402

BIN = Path(sys.executable).parent
AS_OF = "2025-06-30"
DAY_BEFORE = (date.fromisoformat(AS_OF) - timedelta(days=1)).isoformat()
SHOWN = "9"  # a recommendation with a lead and a support, each with a long history at every size
COMMANDS: dict[str, list[str]] = {
    "report": ["report", "--as-of", AS_OF],
    "paper": ["paper", "--as-of", AS_OF],
    "paper --format html": ["paper", "--format", "html", "--as-of", AS_OF],
    "dashboard": ["paper", "--format", "html", "--as-of", AS_OF, "--since", DAY_BEFORE],
    "trend": ["trend", "--as-of", AS_OF],
    f"show {SHOWN}": ["show", SHOWN],
}
# One cache for each checkout: two checkouts measured at once never share a database.
CACHE = Path(tempfile.gettempdir()) / f"tracker-bench-{hashlib.sha256(str(REPO).encode()).hexdigest()[:12]}"
RATIO, MEMORY_MIB = 1.5, 512
# (command, size): what each target holds to; memory only where the issue names it.
TARGETS = {
    ("report", 100_000): (RATIO, None),
    ("paper", 100_000): (RATIO, None),
    ("trend", 1_000_000): (RATIO, MEMORY_MIB),
    ("dashboard", 1_000_000): (RATIO, MEMORY_MIB),
}


def workspace(cache: Path, size: int) -> Path:
    """A synthetic workspace of `size` returns and this repository's assessments, built once: built
    again only when the code that builds it or the data it starts from has changed."""
    sources = [HERE / "synthetic.py", REPO / "recommendations.yaml", REPO / "assessments.yaml"]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    root = cache / f"{size}-returns"
    stamp_file = root / ".bench-built"
    if stamp_file.exists() and stamp_file.read_text(encoding="utf-8") == digest:
        return root
    print(f"building {root} ...", file=sys.stderr, flush=True)
    shutil.rmtree(root, ignore_errors=True)
    build(root, size, seed=1)
    shutil.copy(REPO / "assessments.yaml", root)
    largest = max((p.stat().st_size for p in (root / "status").iterdir()), default=0)
    assert largest < 256 * 2**20, f"a status file of {largest} bytes: over the 256 MiB a status file may hold"
    stamp_file.write_text(digest, encoding="utf-8")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--tracker", type=Path, default=BIN / "tracker", help="the tracker to measure")
    parser.add_argument("--commands", nargs="+", choices=list(COMMANDS), default=list(COMMANDS))
    args = parser.parse_args()
    tracker = str(args.tracker)
    os.environ.pop("TRACKER_ROOT", None)
    args.cache.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        default = Path(tmp) / "default"
        (default / "status").mkdir(parents=True)
        shutil.copy(REPO / "recommendations.yaml", default)
        shutil.copy(REPO / "assessments.yaml", default)
        roots = {0: default, **{size: workspace(args.cache, size) for size in args.sizes}}
        for root in roots.values():  # brought in line (built, if tracker changed) and read once, untimed
            print(f"loading {root} ...", file=sys.stderr, flush=True)
            subprocess.run([tracker, "load"], cwd=root, check=True, capture_output=True)
            for name in args.commands:
                timed([tracker, *COMMANDS[name]], root)
        times: dict[tuple[str, int], list[float]] = {}
        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds}", file=sys.stderr, flush=True)
            for name in args.commands:
                for size, root in roots.items():
                    times.setdefault((name, size), []).append(timed([tracker, *COMMANDS[name]], root))
        memory = {
            (name, size): timed_with_memory([tracker, *COMMANDS[name]], root)[1]
            for name in args.commands
            for size, root in roots.items()
        }

    sizes = sorted(roots)
    median = {key: statistics.median(values) for key, values in times.items()}
    ratio = {(name, size): median[(name, size)] / median[(name, 0)] for name in args.commands for size in sizes}
    met: dict[str, bool] = {}
    for (name, size), (most, mib) in TARGETS.items():
        if name in args.commands and size in sizes:
            met[f"{name} at {size:,}"] = ratio[(name, size)] <= most and (mib is None or memory[(name, size)] < mib)

    def label(size: int) -> str:
        return "default data" if size == 0 else f"{size:,} returns"

    def target(name: str, size: int) -> str:
        if (name, size) not in TARGETS or f"{name} at {size:,}" not in met:
            return ""
        most, mib = TARGETS[(name, size)]
        limit = f"≤ {most}x" + (f", < {mib} MiB" if mib else "")
        return f" ({limit}: {'met' if met[f'{name} at {size:,}'] else 'NOT met'})"

    when, host = stamp(), machine()
    lines = [
        "# Reads against the length of the history",
        "",
        f"{when}; {host}; median of {args.rounds} interleaved rounds, `--as-of {AS_OF}` (show: today).",
        "Run from the repository: `python bench/reports.py`. The default data is this repository's recommendations and",
        "assessments with no returns; the others add that many synthetic returns (`bench/synthetic.py`, seed 1).",
        "`dashboard` is the HTML paper with one day's changes (`--since` the day before): its dashboard, the",
        "trend at each past quarter, and little else; the whole HTML paper lists every return received in the",
        "quarter, about 47,000 at 1,000,000 returns.",
        "",
        "| command | "
        + " | ".join(f"{label(size)} (s)" for size in sizes)
        + " | "
        + " | ".join(f"ratio at {label(s)}" for s in sizes[1:])
        + " | peak MiB |",
        "|---|" + "---:|" * (2 * len(sizes)) + "",
    ]
    for name in args.commands:
        cells = [f"{median[(name, size)]:.3f}" for size in sizes]
        cells += [f"{ratio[(name, size)]:.2f}{target(name, size)}" for size in sizes[1:]]
        cells.append(" / ".join(f"{memory[(name, size)]:.0f}" for size in sizes))
        lines.append(f"| `{' '.join(['tracker', *COMMANDS[name]])}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Peak memory is given for each size in turn.",
        "",
        *(f"- {key}: {'met' if ok else 'NOT met'}" for key, ok in met.items()),
        "",
        f"Targets: {'all met' if all(met.values()) else 'NOT all met'}.",
        "",
    ]
    document = {
        "when": when,
        "machine": host,
        "as_of": AS_OF,
        "rounds": args.rounds,
        "tracker": tracker,
        "sizes": sizes,
        "results": [
            {
                "command": name,
                "argv": COMMANDS[name],
                "size": size,
                "median_s": round(median[(name, size)], 4),
                "ratio": round(ratio[(name, size)], 3),
                "peak_mib": round(memory[(name, size)], 1),
                "runs_s": [round(t, 4) for t in times[(name, size)]],
            }
            for name in args.commands
            for size in sizes
        ],
        "targets": [
            {"command": name, "size": size, "ratio_at_most": most, "peak_mib_under": mib, "met": met[f"{name} at {size:,}"]}
            for (name, size), (most, mib) in TARGETS.items()
            if f"{name} at {size:,}" in met
        ],
        "met": all(met.values()),
    }
    save("reports", "\n".join(lines), document)
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
