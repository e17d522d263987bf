"""The trend as a stacked bar chart: headline counts at each past board (or quarter's end).

The chart is laid out once, as boxes, lines and labels in a fixed frame, and then drawn either
as SVG text (the HTML paper) or as a PNG (the Word paper, through Pillow, imported only there).
Both are deterministic: the same counts give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape
from typing import NamedTuple

from tracker.domain.rating import Rating
from tracker.domain.values import long_date

from .document import FILL, Series

WIDTH, HEIGHT = 800, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 40, 34
_FONT = 13
# Bottom to top: what is done at the foot, silence at the top, where the eye looks first.
STACK = (Rating.COMPLETE, Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NO_RETURN)


class Box(NamedTuple):
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str  # what the box stands for, as words (a tooltip in SVG)


class Rule(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str


class Label(NamedTuple):
    x: float
    y: float  # the text's baseline
    text: str
    anchor: str  # start, middle or end
    colour: str = "0B0C0C"
    size: float = _FONT


Shape = Box | Rule | Label


def _step(top: int) -> int:
    """A round gap between grid lines giving at most 8 of them."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 8:
            return step
    return int(10 ** len(str(top)))


def _width(text: str, size: float) -> float:
    return len(text) * size * 0.62  # a little over a sans-serif's digits and capitals, which the labels are


def layout(trend: Sequence[tuple[date, dict[Rating, int]]]) -> list[Shape]:
    """The chart's shapes, in drawing order."""
    shapes: list[Shape] = []
    x: float = _LEFT
    for r in STACK[::-1]:  # the legend reads in the order the bars stack, top first
        text = r.word  # no shape: the PNG's font has none of them; the swatch is beside it
        shapes.append(Box(x, 12, 14, 14, FILL[r][0], r.word))
        shapes.append(Label(x + 19, 24, text, "start"))
        x += 19 + _width(text, _FONT) + 18
    totals = [sum(c.values()) for _, c in trend]
    step = _step(max(totals, default=0) or 1)
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    base = _TOP + plot_h

    def y(n: float) -> float:
        return base - plot_h * n / top

    for n in range(0, top + 1, step):
        shapes.append(Rule(_LEFT, y(n), WIDTH - _RIGHT, y(n), "B1B4B6" if n else "0B0C0C"))
        shapes.append(Label(_LEFT - 6, y(n) + _FONT * 0.35, str(n), "end"))
    if not trend:
        return shapes
    pitch = plot_w / len(trend)
    bar = min(pitch * 0.7, 60)
    for i, (when, counts) in enumerate(trend):
        left = _LEFT + pitch * i + (pitch - bar) / 2
        below = 0
        for r in STACK:
            n = counts.get(r, 0)
            if not n:
                continue
            shapes.append(Box(left, y(below + n), bar, y(below) - y(below + n), FILL[r][0], f"{when}: {n} {r.word}"))
            if y(below) - y(below + n) >= _FONT + 2 and _width(str(n), _FONT - 1) <= bar:
                middle = (y(below) + y(below + n)) / 2 + (_FONT - 1) * 0.35
                shapes.append(Label(left + bar / 2, middle, str(n), "middle", FILL[r][1], _FONT - 1))
            below += n
    # Dates are labelled from the last back, each only where it keeps clear of the one after it.
    free: float = WIDTH - _RIGHT + 10  # the left edge of the label placed last, less the gap between two
    for i in range(len(trend) - 1, -1, -1):
        text = trend[i][0].isoformat()
        half = _width(text, _FONT - 1) / 2
        middle = min(max(_LEFT + pitch * i + pitch / 2, _LEFT + half), WIDTH - _RIGHT - half)  # inside the frame
        if middle + half + 10 <= free:
            shapes.append(Label(middle, base + _FONT + 6, text, "middle", size=_FONT - 1))
            free = middle - half
    return shapes


def describe(trend: Sequence[tuple[date, dict[Rating, int]]], by: str, earlier: int = 0, every: bool = True) -> str:
    """The chart in words, for a reader who cannot see it; `every`: with each earlier date's counts."""
    if not trend:
        return "No counts to chart."
    when, last = trend[-1]
    counts = ", ".join(f"{last.get(r, 0)} {r.word}" for r in Rating)
    first = trend[0][0]
    span = f"from {long_date(first)} to {long_date(when)}" if len(trend) > 1 else f"on {long_date(when)}"
    left = f" ({earlier} earlier {'date is' if earlier == 1 else 'dates are'} in tracker trend)" if earlier else ""
    each = "; ".join(f"{day}: {'/'.join(str(c.get(r, 0)) for r in Rating)}" for day, c in trend[:-1])
    before = f" Before, in the order {', '.join(r.word for r in Rating)}: {each}." if each and every else ""
    return f"Headline ratings at each {by} {span}{left}, as stacked bars. On {long_date(when)}: {counts}.{before}"


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def svg(trend: Sequence[tuple[date, dict[Rating, int]]], by: str, earlier: int = 0) -> str:
    """The chart as an inline SVG element: no script, nothing fetched, its words in <title> and <desc>."""
    words = escape(describe(trend, by, earlier))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        ' aria-labelledby="chart-title chart-desc" font-family="Arial, Helvetica, sans-serif">',
        f'<title id="chart-title">Headline ratings at each {escape(by)}</title>',
        f'<desc id="chart-desc">{words}</desc>',
    ]
    out += _svg_shapes(layout(trend))
    out.append("</svg>")
    return "\n".join(out)


def png(trend: Sequence[tuple[date, dict[Rating, int]]], scale: int = 2) -> bytes:
    """The chart as a PNG, `scale` pixels to a unit, for a document that cannot hold SVG (Word)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[float, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for s in layout(trend):
        if isinstance(s, Box):
            draw.rectangle(
                (round(s.x * scale), round(s.y * scale), round((s.x + s.w) * scale) - 1, round((s.y + s.h) * scale) - 1),
                fill=f"#{s.fill}",
            )
        elif isinstance(s, Rule):
            draw.line((s.x1 * scale, s.y1 * scale, s.x2 * scale, s.y2 * scale), fill=f"#{s.colour}", width=scale // 2 or 1)
        else:
            if s.size not in fonts:
                fonts[s.size] = ImageFont.load_default(s.size * scale)
            draw.text((s.x * scale, s.y * scale), s.text, fill=f"#{s.colour}", font=fonts[s.size], anchor=anchors[s.anchor])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


# A measure's small chart: its values over time as a line, its baseline and target as dashed rules.
SMALL_W, SMALL_H = 360, 170
_S_LEFT, _S_RIGHT, _S_TOP, _S_BOTTOM = 52, 14, 28, 30
_INK, _BASE, _GOAL = "0B0C0C", "505A5F", "00703C"


def _short(v: float) -> str:
    if abs(v) >= 10_000:
        return f"{v / 1000:,.0f}k"
    return f"{v:,.0f}" if v == int(v) else f"{v:g}"


def measure_layout(s: Series) -> list[Shape]:
    """The small chart's shapes: a grid, the values joined point to point, the baseline and target."""
    shapes: list[Shape] = [Label(_S_LEFT, 16, _clip(s.name, 52), "start", _INK, _FONT - 1)]
    levels = [v for _, v in s.points] + [x for x in (s.baseline, s.target) if x is not None]
    if not levels:
        shapes.append(Label(SMALL_W / 2, SMALL_H / 2, "no values yet", "middle", _BASE, _FONT - 1))
        return shapes
    low, high = min(0.0, min(levels)), max(levels)
    high = high if high > low else low + 1
    top = high + (high - low) * 0.08
    plot_w, plot_h = SMALL_W - _S_LEFT - _S_RIGHT, SMALL_H - _S_TOP - _S_BOTTOM
    base = _S_TOP + plot_h

    def y(v: float) -> float:
        return base - plot_h * (v - low) / (top - low)

    for v in (low, (low + high) / 2, high):
        shapes.append(Rule(_S_LEFT, y(v), SMALL_W - _S_RIGHT, y(v), "B1B4B6" if v != low else _INK))
        shapes.append(Label(_S_LEFT - 5, y(v) + 4, _short(v), "end", _BASE, _FONT - 3))
    for value, colour, words in ((s.baseline, _BASE, "baseline"), (s.target, _GOAL, "target")):
        if value is not None:
            for x in range(_S_LEFT, SMALL_W - _S_RIGHT, 8):  # dashed: a rule every other few units
                shapes.append(Rule(x, y(value), min(x + 4, SMALL_W - _S_RIGHT), y(value), colour))
            shapes.append(Label(SMALL_W - _S_RIGHT, y(value) - 3, words, "end", colour, _FONT - 3))
    n = len(s.points)
    pitch = plot_w / max(n, 1)
    xs = [_S_LEFT + pitch * (i + 0.5) for i in range(n)]
    for i in range(1, n):
        shapes.append(Rule(xs[i - 1], y(s.points[i - 1][1]), xs[i], y(s.points[i][1]), "1D70B8"))
    for i, (period, value) in enumerate(s.points):
        shapes.append(Box(xs[i] - 3, y(value) - 3, 6, 6, "1D70B8", f"{period}: {_short(value)}"))
        if i in (0, n - 1) or n <= 4:
            shapes.append(Label(xs[i], base + _FONT + 4, period, "middle", _BASE, _FONT - 3))
    return shapes


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def measure_words(s: Series) -> str:
    """The small chart in words, for a reader who cannot see it."""
    values = "; ".join(f"{p}: {_short(v)}" for p, v in s.points) or "no values yet"
    marks = [
        f"baseline {_short(s.baseline)}" if s.baseline is not None else "",
        f"target {_short(s.target)}" if s.target is not None else "",
    ]
    marked = ", ".join(m for m in marks if m)
    return f"{s.name}: {values}" + (f" ({marked})" if marked else "") + "."


def measure_svg(s: Series, index: int) -> str:
    shapes = measure_layout(s)
    return _svg(shapes, SMALL_W, SMALL_H, f"measure-{index}", s.name, measure_words(s))


def measure_png(s: Series, scale: int = 2) -> bytes:
    return _png(measure_layout(s), SMALL_W, SMALL_H, scale)


def _svg(shapes: list[Shape], width: int, height: int, ident: str, title: str, words: str) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc" font-family="Arial, Helvetica, sans-serif" class="measure">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(words)}</desc>',
    ]
    out += _svg_shapes(shapes)
    out.append("</svg>")
    return "\n".join(out)


def _svg_shapes(shapes: Iterable[Shape]) -> list[str]:
    """Each box, rule and text of a chart as an SVG element."""
    out = []
    for s in shapes:
        if isinstance(s, Box):
            out.append(
                f'<rect x="{_n(s.x)}" y="{_n(s.y)}" width="{_n(s.w)}" height="{_n(s.h)}" fill="#{s.fill}">'
                f"<title>{escape(s.title)}</title></rect>"
            )
        elif isinstance(s, Rule):
            out.append(f'<line x1="{_n(s.x1)}" y1="{_n(s.y1)}" x2="{_n(s.x2)}" y2="{_n(s.y2)}" stroke="#{s.colour}"/>')
        else:
            out.append(
                f'<text x="{_n(s.x)}" y="{_n(s.y)}" text-anchor="{s.anchor}" font-size="{_n(s.size)}"'
                f' fill="#{s.colour}">{escape(s.text)}</text>'
            )
    return out


def _png(shapes: list[Shape], width: int, height: int, scale: int) -> bytes:
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[float, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for s in shapes:
        if isinstance(s, Box):
            draw.rectangle(
                (round(s.x * scale), round(s.y * scale), round((s.x + s.w) * scale) - 1, round((s.y + s.h) * scale) - 1),
                fill=f"#{s.fill}",
            )
        elif isinstance(s, Rule):
            draw.line((s.x1 * scale, s.y1 * scale, s.x2 * scale, s.y2 * scale), fill=f"#{s.colour}", width=scale)
        else:
            if s.size not in fonts:
                fonts[s.size] = ImageFont.load_default(s.size * scale)
            draw.text((s.x * scale, s.y * scale), s.text, fill=f"#{s.colour}", font=fonts[s.size], anchor=anchors[s.anchor])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
