"""The outcomes framework in tracker.db: its outcomes, measures and their values, loaded whole
from outcomes.yaml and outcome_values.yaml (two small files) whenever either changes, and read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from .schema import Connection

if TYPE_CHECKING:  # imported where used: every command imports db, few read the outcomes
    from tracker.domain.outcomes import Framework, Value

__all__ = ["replace_outcomes", "framework", "measure_values", "outcome_counts"]

_TABLES = ("measure_values", "measures", "outcomes", "outcomes_framework")


def replace_outcomes(conn: Connection, fw: Framework | None, values: Sequence[Value]) -> None:
    """Replace what the database holds of the framework and its values, inside the caller's transaction."""
    from tracker.domain.outcomes import parse_period

    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in _TABLES:
        conn.execute(f"DELETE FROM [{table}]")
    if fw is None:
        return
    conn.execute(
        "INSERT INTO outcomes_framework (title, date, link) VALUES (?, ?, ?)",
        [fw.title, fw.date.isoformat() if fw.date else None, fw.link],
    )
    for i, o in enumerate(fw.outcomes):
        conn.execute(
            "INSERT INTO outcomes (code, position, name, kind, line) VALUES (?, ?, ?, ?, ?)", [o.code, i, o.name, o.kind, o.line]
        )
        for j, m in enumerate(o.measures):
            b, t = m.baseline, m.target
            conn.execute(
                "INSERT INTO measures (code, outcome, position, name, unit, direction, baseline_value, baseline_period,"
                " baseline_source, baseline_note, target_words, target_value, target_by, target_source, note, line)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    m.code,
                    o.code,
                    j,
                    m.name,
                    m.unit,
                    m.direction,
                    *((b.value, b.period, b.source, b.note) if b else (None,) * 4),
                    *((t.words, t.value, t.by, t.source) if t else (None,) * 4),
                    m.note,
                    m.line,
                ],
            )
    conn.executemany(
        "INSERT INTO measure_values (measure, period, period_start, period_end, value, source, note, recorded, file, line)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [v.measure, v.period, *(d.isoformat() for d in parse_period(v.period)), v.value, v.source, v.note]
            + [v.recorded.isoformat(), v.file, v.line]
            for v in values
        ],
    )


def framework(conn: Connection) -> Framework | None:
    """The framework as loaded; None where the workspace has no outcomes.yaml."""
    from tracker.domain.outcomes import Baseline, Framework, Measure, Outcome, Target

    head = conn.execute("SELECT * FROM outcomes_framework").fetchone()
    if head is None:
        return None
    by_outcome: dict[str, list[Measure]] = {}
    for r in conn.execute("SELECT * FROM measures ORDER BY outcome, position"):
        b = Baseline(r["baseline_value"], r["baseline_period"], r["baseline_source"], r["baseline_note"])
        t = Target(r["target_words"], r["target_by"], r["target_source"], r["target_value"])
        by_outcome.setdefault(r["outcome"], []).append(
            Measure(
                r["code"],
                r["name"],
                r["outcome"],
                r["unit"],
                r["direction"],
                b if r["baseline_period"] is not None else None,
                t if r["target_by"] is not None else None,
                r["note"],
                r["line"],
            )
        )
    outcomes = tuple(
        Outcome(r["code"], r["name"], r["kind"], tuple(by_outcome.get(r["code"], ())), r["line"])
        for r in conn.execute("SELECT * FROM outcomes ORDER BY position")
    )
    return Framework(head["title"], date.fromisoformat(head["date"]) if head["date"] else None, head["link"], outcomes)


def measure_values(conn: Connection) -> list[Value]:
    """Every value, in the order its file holds them."""
    from tracker.domain.outcomes import Value

    return [
        Value(
            r["measure"], r["period"], r["value"], r["source"], date.fromisoformat(r["recorded"]), r["note"], r["file"], r["line"]
        )
        for r in conn.execute("SELECT * FROM measure_values ORDER BY line")
    ]


def outcome_counts(conn: Connection) -> dict[str, int]:
    """What `check` counts of the framework: nothing where there is none."""
    if conn.execute("SELECT 1 FROM outcomes_framework").fetchone() is None:
        return {}
    return {
        label: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for label, table in (("outcomes", "outcomes"), ("measures", "measures"), ("outcome values", "measure_values"))
    }
