"""Build a synthetic workspace: the default recommendations and N status returns spread over
the owning departments' files, as a busy board's workspace would look after years of returns.

    python bench/synthetic.py DIR [--updates 100000] [--seed 1] [--one-file]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tracker.domain.rating import RETURN_RATINGS  # noqa: E402
from tracker.domain.recommendations import owners_on  # noqa: E402
from tracker.domain.returns import Entry  # noqa: E402
from tracker.yamlio.blocks import appended, file_header, return_block  # noqa: E402
from tracker.yamlio.recommendations import parse_recommendations  # noqa: E402

WORDS = (
    "commissioning partnership treatment recovery workforce funding grant plan review data housing employment "
    "prison probation outcomes framework pilot evaluation guidance consultation delivery board local national"
).split()


def build(root: Path, count: int, seed: int, recs_of: str | None = None, one_file: bool = False) -> int:
    """Write `count` returns over the owning departments' files, on every recommendation or only on
    those `recs_of` owns. With `one_file`, the very same returns (recommendation, date, rating,
    summary, author, evidence) are all recorded by `recs_of` in its one status file: the two
    workspaces differ only in how the returns are filed."""
    rng = random.Random(seed)
    repo = HERE.parent
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "recommendations.yaml", root / "recommendations.yaml")
    (root / "status").mkdir(exist_ok=True)
    data, problems = parse_recommendations((root / "recommendations.yaml").read_bytes())
    assert not problems
    start, days = date(2021, 8, 1), (date(2026, 10, 31) - date(2021, 8, 1)).days
    recs = [r for r in data.recommendations if recs_of is None or any(o.dept == recs_of for o in r.owners)]
    by_code: dict[str, list[Entry]] = {}
    for i in range(count):
        rec = rng.choice(recs)
        day = start + timedelta(days=rng.randrange(days))
        owner = rng.choice(owners_on(rec, data.registry, day))
        code = recs_of if one_file and recs_of is not None else owner
        # Only a lead moves the target date: the owner that files it over many files, and the one
        # that files it in the one-file workspace, so that both workspaces hold the very same returns.
        leads = owners_on(rec, data.registry, day, ("lead",))
        revised = rng.random() < 0.05 and owner in leads and (recs_of is None or recs_of in leads)
        by_code.setdefault(code, []).append(
            Entry(
                recommendation=rec.number,
                dept=code,
                date=day,
                rag=rng.choice(RETURN_RATINGS),
                summary=" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize() + f" (return {i}).",
                author=rng.choice(["Jo Bloggs", "A. N. Other", "Board secretariat"]),
                evidence=tuple(f"https://example.org/evidence/{i}/{n}" for n in range(rng.randint(0, 2))),
                target_date=day + timedelta(days=rng.randint(30, 400)) if revised else None,
                reason="Delivery partner delayed." if revised else None,
            )
        )
    for code, returns in by_code.items():
        returns.sort(key=lambda r: r.date)
        raw, _ = appended(None, file_header(code, data.registry.departments[code].name), [return_block(r) for r in returns])
        (root / "status" / f"{code}.yaml").write_bytes(raw)
    return len(by_code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--one-file", action="store_true", help="every return on DHSC's recommendations, all from DHSC, in one status file"
    )
    args = parser.parse_args()
    files = build(args.dir, args.updates, args.seed, "DHSC" if args.one_file else None, args.one_file)
    print(f"{args.dir}: {args.updates} returns in {files} status files")


if __name__ == "__main__":
    main()
