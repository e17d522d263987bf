"""`tracker outcomes`: each measure of the outcomes framework, grouped by outcome, its latest value
against its baseline and target, as text, JSON or CSV. Pure: the standings in, text out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from tracker.domain.outcomes import Framework, MeasureStanding, Outcome, Value, number_text, shown

from .text import clean

Standings = Sequence[tuple[Outcome, Sequence[MeasureStanding]]]


def _value(v: Value | None, unit: str) -> str:
    return f"{shown(v.value, unit)} ({v.period})" if v is not None else "no value"


def change_words(s: MeasureStanding) -> str:
    """`+2,100 since baseline, better`; or why there is none."""
    if s.change is None:
        return "no baseline" if s.measure.baseline is None else "no value"
    sign = "+" if s.change > 0 else "-" if s.change < 0 else "±"
    return f"{sign}{shown(abs(s.change), s.measure.unit)} since baseline, {s.direction}"


def target_words(s: MeasureStanding) -> str:
    t = s.measure.target
    if t is None:
        return "no target"
    goal = shown(t.value, s.measure.unit) if t.value is not None else t.words
    return f"{goal} by {t.by}"


def outcomes_text(framework: Framework, standings: Standings, as_of: date) -> str:
    date_words = f" ({framework.date.isoformat()})" if framework.date else ""
    out = [f"{clean(framework.title)}{date_words}, values to {as_of.isoformat()}", ""]
    for outcome, measures in standings:
        out.append(f"{clean(outcome.name)} ({outcome.kind})")
        for s in measures:
            m = s.measure
            base = f"{shown(m.baseline.value, m.unit)} ({m.baseline.period})" if m.baseline else "none"
            out.append(f"  {m.code}: {clean(m.name)}")
            parts = [f"latest {_value(s.latest, m.unit)}"]
            parts += [f"baseline {base}"] if m.baseline else []
            parts += [f"target {clean(target_words(s))}"] if m.target else []
            parts += [change_words(s)] if s.change is not None else []
            parts += [s.on_track] if m.target is not None and m.target.value is not None else []
            parts += [f"trend {s.trend()}"] if len(s.values) > 1 else []
            out.append("    " + "; ".join(parts))
        out.append("")
    counted = sum(len(ms) for _, ms in standings)
    valued = sum(1 for _, ms in standings for s in ms if s.values)
    out.append(f"{counted} measures, {valued} with a value up to {as_of.isoformat()}")
    return "\n".join(out) + "\n"


def measure_dict(s: MeasureStanding) -> dict[str, Any]:
    m = s.measure
    latest = s.latest
    return {
        "code": m.code,
        "name": m.name,
        "unit": m.unit,
        "direction": m.direction,
        "baseline": {"value": m.baseline.value, "period": m.baseline.period, "source": m.baseline.source} if m.baseline else None,
        "target": {"words": m.target.words, "value": m.target.value, "by": m.target.by, "source": m.target.source}
        if m.target
        else None,
        "latest": {"value": latest.value, "period": latest.period, "source": latest.source, "note": latest.note}
        if latest
        else None,
        "change": None if s.change is None else round(s.change, 6),  # a difference of two values: no float noise
        "change_is": s.direction,
        "on_track": s.on_track,
        "values": [{"period": v.period, "value": v.value, "source": v.source} for v in s.values],
    }


def outcomes_document(framework: Framework, standings: Standings, as_of: date) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "framework": {
            "title": framework.title,
            "date": framework.date.isoformat() if framework.date else None,
            "link": framework.link,
        },
        "outcomes": [
            {"code": o.code, "name": o.name, "kind": o.kind, "measures": [measure_dict(s) for s in ms]} for o, ms in standings
        ],
    }


CSV_COLUMNS = (
    "outcome",
    "kind",
    "measure",
    "name",
    "unit",
    "direction",
    "baseline",
    "baseline period",
    "target",
    "target by",
    "latest",
    "latest period",
    "change",
    "change is",
    "on track",
)


def outcomes_csv(standings: Standings) -> str:
    import csv
    import io

    from .csvout import BOM
    from .text import spreadsheet_cell

    buf = io.StringIO(BOM)
    buf.seek(0, io.SEEK_END)
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)

    def n(x: float | None) -> str:
        return "" if x is None else number_text(round(x, 6))

    for o, ms in standings:
        for s in ms:
            m, b, t, v = s.measure, s.measure.baseline, s.measure.target, s.latest
            w.writerow(
                [spreadsheet_cell(c) for c in (o.code, o.kind, m.code, m.name, m.unit, m.direction)]
                + [n(b.value) if b else "", b.period if b else "", n(t.value) if t else "", t.by if t else ""]
                + [n(v.value) if v else "", v.period if v else "", n(s.change), s.direction or "", s.on_track]
            )
    return buf.getvalue()
