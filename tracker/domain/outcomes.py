"""The outcomes framework: outcomes, the measures that show them, and the values those measures take.

outcomes.yaml holds the National Combating Drugs Outcomes Framework (its outcomes, and for each
measure its unit, direction of good, baseline and target); outcome_values.yaml the dated values
published since, each with its source. This module holds their types, the rules they keep, and
where each measure stands on a date: its latest value against its baseline and target. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from .problem import Problem
from .recommendations import Dataset
from .values import excerpt

OUTCOMES = "outcomes.yaml"
OUTCOME_VALUES = "outcome_values.yaml"
KINDS = ("strategic", "intermediate")
DIRECTIONS = ("up", "down")  # which way is better
# The units a measure may be counted in: a count of things, a share, or a rate.
UNITS = ("count", "percent", "per 1,000", "per 100,000", "per million")
# Patterns as text, compiled (and kept) by re when first used: most commands never read a code or a number.
CODE = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
# A value's period: a year (2023), a financial year (2023/24: April to March), a month or a day.
_PERIOD = r"([0-9]{4})(?:/([0-9]{2})|-([0-9]{2})(?:-([0-9]{2}))?)?"
# A value as written: a plain decimal, no thousands separators, no exponent.
_NUMBER = r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,6})?"
# How many values the trend shows, the latest.
TREND = 6
_BARS = "▁▂▃▄▅▆▇█"


def parse_period(text: str) -> tuple[date, date]:
    """A value's period, YYYY, YYYY/YY (a financial year, 1 April to 31 March), YYYY-MM or
    YYYY-MM-DD: its first and last days. ValueError saying what it is not."""
    found = re.fullmatch(_PERIOD, text.strip())
    if found is None:
        raise ValueError(
            f"{excerpt(text)} is not a period: write a year (2023), a financial year (2023/24), a month (2023-05) or a day"
        )
    year, second, month, day = found.groups()
    y = int(year)
    try:
        if second is not None:
            if int(second) != (y + 1) % 100:
                raise ValueError(
                    f"{text.strip()} is not a financial year: the second year follows the first ({y}/{(y + 1) % 100:02d})"
                )
            return date(y, 4, 1), date(y + 1, 3, 31)
        if day is not None:
            one = date(y, int(month), int(day))
            return one, one
        if month is not None:
            first = date(y, int(month), 1)
            return first, (date(y + 1, 1, 1) if first.month == 12 else date(y, first.month + 1, 1)) - timedelta(days=1)
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError as e:
        if "financial" in str(e):
            raise
        raise ValueError(f"{text.strip()} is not a real date") from None


def period_end(text: str) -> date:
    return parse_period(text)[1]


def parse_number(text: str) -> float:
    """A value written as a plain decimal (3618, 40.7, -2); ValueError otherwise."""
    t = text.strip()
    digits = len(t.lstrip("-").replace(".", "").lstrip("0")) if re.fullmatch(_NUMBER, t) else 0
    if not re.fullmatch(_NUMBER, t) or digits > SIGNIFICANT:
        hint = " (write it without thousands separators)" if "," in t else ""
        raise ValueError(
            f"{excerpt(t)} is not a number tracker keeps{hint}: a plain decimal such as 3618, 40.7 or -2, at most"
            f" {SIGNIFICANT} digits and 6 after the point, with no exponent and no sign but -"
        )
    return float(t)


# The digits a value may have: as many as a float keeps exactly, so what is written reads back the same.
SIGNIFICANT = 15


def number_text(value: float) -> str:
    """A value as written back, in the form parse_number reads: whole numbers without a decimal
    point, others in fixed point (never an exponent), no negative zero."""
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def shown(value: float, unit: str) -> str:
    """A value as a reader reads it: `3,618`, `40.7%`, `12.5 per 100,000`."""
    small = number_text(round(value, 6))  # fixed point, never an exponent
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}" if abs(value) >= 100 else small
    if unit == "percent":
        return f"{text}%"
    if unit == "count":
        return text
    return f"{text} {unit}"


class Baseline(NamedTuple):
    value: float
    period: str
    source: str
    note: str | None = None


class Target(NamedTuple):
    """Where the framework or strategy means a measure to be by `by` (a period): `words` as it says
    it, and `value` in the measure's unit where it gives one."""

    words: str
    by: str
    source: str
    value: float | None = None


class Measure(NamedTuple):
    code: str
    name: str
    outcome: str  # its outcome's code
    unit: str
    direction: str  # up or down: which way is better
    baseline: Baseline | None = None
    target: Target | None = None
    note: str | None = None
    line: int | None = None


class Outcome(NamedTuple):
    code: str
    name: str
    kind: str  # strategic or intermediate
    measures: tuple[Measure, ...]
    line: int | None = None


class Framework(NamedTuple):
    title: str
    date: date | None
    link: str
    outcomes: tuple[Outcome, ...]

    @property
    def measures(self) -> dict[str, Measure]:
        return {m.code: m for o in self.outcomes for m in o.measures}


class Value(NamedTuple):
    """One published value of a measure, for a period, with where it was published."""

    measure: str
    period: str
    value: float
    source: str
    recorded: date
    note: str | None = None
    file: str = OUTCOME_VALUES
    line: int | None = None

    def key(self) -> tuple[str, str]:
        return self.measure, self.period


def check_framework(framework: Framework, file: str = OUTCOMES) -> list[Problem]:
    """The rules the framework keeps beyond each field's own: codes unique across outcomes and measures."""
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for o in framework.outcomes:
        for code, line in [(o.code, o.line), *((m.code, m.line) for m in o.measures)]:
            if code in seen:
                problems.append(
                    Problem(
                        file, line, f"{code} is used twice (first on line {seen[code]}); each code names one thing", None, "code"
                    )
                )
            else:
                seen[code] = line
    return problems


def check_values(values: Sequence[Value], framework: Framework | None) -> list[Problem]:
    """The rules values keep together: each names a measure of the framework, and a measure has one
    value for a period (a value is never edited: a revised figure is a note on a new period's value)."""
    problems: list[Problem] = []
    measures = framework.measures if framework is not None else {}
    first: dict[tuple[str, str], Value] = {}
    for v in values:
        if v.measure not in measures:
            names = list(measures)
            more = f", ... ({len(names) - 10} more)" if len(names) > 10 else ""
            known = (
                f"; the measures are: {', '.join(names[:10])}{more}" if names else f"; there is no {OUTCOMES} to define measures"
            )
            problems.append(
                Problem(v.file, v.line, f"{excerpt(v.measure)} is not a measure of the framework{known}", None, "measure")
            )
            continue
        before = first.get(v.key())
        if before is not None:
            problems.append(
                Problem(
                    v.file,
                    v.line,
                    f"{v.measure} has a value for {v.period} already (line {before.line}); a measure has one value a period",
                    None,
                    "period",
                )
            )
            continue
        first[v.key()] = v
    return problems


class MeasureStanding(NamedTuple):
    """Where a measure stands on a date: its values up to then, its latest, and how it is judged."""

    measure: Measure
    values: tuple[Value, ...]  # in period order, those whose period ended on or before the date
    change: float | None  # latest less baseline
    direction: str | None  # better, worse or same (by the measure's direction of good), None without both
    on_track: str  # met, on track, off track, missed, not judged (no baseline), no target, no target value, no value

    @property
    def latest(self) -> Value | None:
        return self.values[-1] if self.values else None

    def trend(self) -> str:
        """The last few values as a sparkline, lowest ▁ to highest █ among them."""
        return sparkline([v.value for v in self.values[-TREND:]])


def sparkline(values: Sequence[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _BARS[3] * len(values)
    return "".join(_BARS[round((v - low) / (high - low) * (len(_BARS) - 1))] for v in values)


def _better(delta: float, direction: str) -> str:
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == (direction == "up") else "worse"


def judge(m: Measure, latest: Value | None) -> str:
    """Whether a measure is on track for its target, as of its latest value.

    Met: the latest value is at the target or beyond it (in the measure's direction of good).
    Otherwise, with a baseline, the target is taken as reached in a straight line from the
    baseline's period to the target's: on track when the latest value is at least where that line
    is at the end of the latest value's period; off track when it is short of it; missed when
    the target's period has ended. Without a baseline there is no line, and it is not judged.
    """
    if m.target is None:
        return "no target"
    if m.target.value is None:
        return "no target value"
    if latest is None:
        return "no value"
    goal = m.target.value
    if _better(latest.value - goal, m.direction) != "worse":
        return "met"
    due = period_end(m.target.by)
    when = period_end(latest.period)
    if when >= due:
        return "missed"
    if m.baseline is None:
        return "not judged"
    start = period_end(m.baseline.period)
    if due <= start:
        return "not judged"
    share = min(1.0, max(0.0, (when - start).days / (due - start).days))
    expected = m.baseline.value + (goal - m.baseline.value) * share
    return "off track" if _better(latest.value - expected, m.direction) == "worse" else "on track"


def standings(framework: Framework, values: Iterable[Value], as_of: date) -> list[tuple[Outcome, list[MeasureStanding]]]:
    """Each outcome with where each of its measures stood on `as_of`: the values whose period had
    ended by then."""
    by_measure: dict[str, list[tuple[date, Value]]] = {}
    for v in values:
        end = period_end(v.period)
        if end <= as_of:
            by_measure.setdefault(v.measure, []).append((end, v))
    out = []
    for o in framework.outcomes:
        ms = []
        for m in o.measures:
            got = tuple(v for _, v in sorted(by_measure.get(m.code, []), key=lambda p: (p[0], parse_period(p[1].period)[0])))
            latest = got[-1] if got else None
            change = latest.value - m.baseline.value if latest is not None and m.baseline is not None else None
            ms.append(
                MeasureStanding(m, got, change, _better(change, m.direction) if change is not None else None, judge(m, latest))
            )
        out.append((o, ms))
    return out


def outcome_names(codes: Iterable[str], framework: Framework | None) -> list[str]:
    """The names of the outcomes `codes` name (an item's outcomes, say), in the framework's order;
    a code the framework does not hold is given as it is."""
    wanted = list(dict.fromkeys(codes))
    if framework is None:
        return wanted
    names = {o.code: o.name for o in framework.outcomes}
    order = {o.code: i for i, o in enumerate(framework.outcomes)}
    return [names.get(c, c) for c in sorted(wanted, key=lambda c: order.get(c, len(order)))]


def serves(codes_of: Callable[[object], Sequence[str]], item: object, framework: Framework | None) -> str | None:
    """`serves: Reducing drug-related deaths and harm; ...` for an item whose outcome codes
    `codes_of(item)` gives; None when it names none."""
    names = outcome_names(codes_of(item), framework)
    return f"serves: {'; '.join(names)}" if names else None


def served_problems(data: Dataset, framework: Framework | None) -> list[Problem]:
    """The rule that an item serves outcomes the framework holds (outcomes.yaml), by its codes."""
    problems: list[Problem] = []
    known = {o.code for o in framework.outcomes} if framework is not None else set()
    for rec in data.recommendations:
        for code in rec.outcomes:
            if code in known:
                continue
            source = data.source_of(rec)
            label = data.label(rec.number)
            if framework is None:
                message = f"{code!r} names an outcome, but the workspace has no outcomes.yaml (tracker init writes one)"
            else:
                message = f"{code!r} is not an outcome of outcomes.yaml; its outcomes are {', '.join(sorted(known))}"
            problems.append(Problem(source.file, rec.line, message, label, "outcomes"))
    return problems
