"""Charts as SVG text: panels on a grid, linear or log axes, a few kinds of marks and one legend.

The widget labs redraw on every slider change. Building this text takes a few milliseconds and the
browser lays out the glyphs; a matplotlib PNG of the same dashboard took hundreds of milliseconds.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
GRID, FRAME, INK = "#e6e6e6", "#555555", "#222222"
DASHES = {"": "", "-": "", "--": "5,3", ":": "1.5,2.5", "-.": "6,2.5,1.5,2.5"}
MAX_POINTS = 1000  # a longer line is thinned to what its pixel columns show
LEGEND_ROW = 18


def _num(value: float) -> str:
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _floats(values: Any) -> list[float]:
    return [float(v) for v in (values.tolist() if hasattr(values, "tolist") else values)]


def _lines(labels: list[str]) -> int:
    return max((len(t.split("\n")) for t in labels), default=1)


def text_width(text: str, size: float) -> float:
    """A rough width in pixels of `text` at font `size` (the browser does the real layout)."""
    return max((len(line) for line in str(text).split("\n")), default=0) * size * 0.6


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` intervals of 1, 2 or 5 × 10^k, from at or below `lo` to at or above `hi`."""
    if not hi > lo:
        lo, hi = lo - (abs(lo) or 1.0) / 2, hi + (abs(hi) or 1.0) / 2
    span = hi - lo
    magnitude = 10.0 ** math.floor(math.log10(span / max(count, 1)))
    step = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda s: abs(span / s - count))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [float(f"{i * step:.12g}") for i in range(first, last + 1)]


def tick_labels(ticks: list[float], log: bool = False) -> list[str]:
    """Labels with as many decimals as the step needs; k or M for large values."""
    if log or len(ticks) < 2:
        return [f"{t:g}" for t in ticks]
    top = max(abs(t) for t in ticks)
    scale, suffix = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e4 else (1.0, "")
    decimals = max(0, -math.floor(math.log10((ticks[1] - ticks[0]) / scale) + 1e-9))
    return [f"{t / scale:,.{decimals}f}{suffix}" if t else "0" for t in ticks]


class Scale:
    """Data to pixels: `lo` maps to `start`, `hi` to `end`; linear, or log10 when `log`."""

    def __init__(self, lo: float, hi: float, start: float, end: float, log: bool = False) -> None:
        self.lo, self.hi, self.log = lo, hi, log
        a, b = (math.log10(lo), math.log10(hi)) if log else (lo, hi)
        self._k = (end - start) / (b - a)
        self._c = start - a * self._k

    def __call__(self, value: float) -> float:
        if self.log:
            value = math.log10(value) if value > 0 else math.log10(self.lo) - 1
        return self._c + value * self._k


@dataclass
class Axis:
    """An axis' limits (None: the data's, widened to nice ticks), scale type, categories and label."""

    lo: float | None = None
    hi: float | None = None
    log: bool = False
    categories: list[str] | None = None
    label: str = ""


class _Ticks(NamedTuple):
    lo: float
    hi: float
    values: list[float]
    labels: list[str]


class _Layout(NamedTuple):
    box: tuple[float, float, float, float]  # the plot area: x, y, width, height
    x: Scale
    y: Scale
    xt: _Ticks
    yt: _Ticks
    twin_y: Scale | None
    twin_t: _Ticks | None


def _ticks(axis: Axis, data: list[float], count: int) -> _Ticks:
    if axis.categories is not None:
        return _Ticks(-0.5, len(axis.categories) - 0.5, list(range(len(axis.categories))), list(axis.categories))
    data = [v for v in data if math.isfinite(v) and (v > 0 or not axis.log)]
    lo = axis.lo if axis.lo is not None else min(data, default=1.0 if axis.log else 0.0)
    hi = axis.hi if axis.hi is not None else max(data, default=10.0 if axis.log else 1.0)
    if axis.log:
        values = [10.0 ** k for k in range(math.floor(math.log10(lo) + 1e-9), math.ceil(math.log10(hi) - 1e-9) + 1)]
    else:
        values = nice_ticks(lo, hi, count)
    lo, hi = (lo if axis.lo is not None else values[0]), (hi if axis.hi is not None else values[-1])
    if not hi > lo:
        lo, hi = values[0], values[-1]
    slack = (hi - lo) * 1e-9
    values = [v for v in values if lo - slack <= v <= hi + slack]
    return _Ticks(lo, hi, values, tick_labels(values, axis.log))


@dataclass
class _Mark:
    kind: str
    xs: list[float]
    ys: list[float]
    colour: str = INK
    label: str = ""
    width: float = 1.5
    dash: str = ""
    opacity: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)


def _data(marks: list[_Mark], along_x: bool) -> list[float]:
    """The values the marks need an axis to show: bars and areas from their base up."""
    out = []
    for m in marks:
        out += m.xs if along_x else m.ys
        if m.kind == "area" and not along_x:
            out += m.extra["base"]
        if m.kind == "bars" and m.extra["horizontal"] == along_x:
            out.append(0.0)
    return out


def _steps(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """A post-step line's corners: each value holds until the next x."""
    sx, sy = xs[:1], ys[:1]
    for i in range(1, len(xs)):
        sx += [xs[i], xs[i]]
        sy += [ys[i - 1], ys[i]]
    return sx, sy


def _thin(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """First, lowest, highest and last point of each pixel column: what a thin line shows of them."""
    out, i = [], 0
    while i < len(points):
        j, column = i, int(points[i][0])
        while j < len(points) and int(points[j][0]) == column:
            j += 1
        low = min(range(i, j), key=lambda k: points[k][1])
        high = max(range(i, j), key=lambda k: points[k][1])
        out += [points[k] for k in sorted({i, low, high, j - 1})]
        i = j
    return out


def _points(xs: list[float], ys: list[float]) -> str:
    """Pixel points as "x,y x,y": rounded to 0.1 px, repeats and the middle of straight runs dropped."""
    points = [(round(x, 1), round(y, 1)) for x, y in zip(xs, ys)]
    if len(points) > MAX_POINTS:
        points = _thin(points)
    out: list[tuple[float, float]] = []
    for p in points:
        if out and p == out[-1]:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (ax == bx == p[0] and min(ay, p[1]) <= by <= max(ay, p[1])) or \
                    (ay == by == p[1] and min(ax, p[0]) <= bx <= max(ax, p[0])):
                out[-1] = p
                continue
        out.append(p)
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in out)


def _style(m: _Mark, fill: bool = False) -> str:
    if fill:
        return f'fill="{m.colour}"' + (f' fill-opacity="{m.opacity:g}"' if m.opacity < 1 else "")
    dash = DASHES.get(m.dash, m.dash)
    stroke = f'fill="none" stroke="{m.colour}" stroke-width="{m.width:g}"'
    return stroke + (f' stroke-dasharray="{dash}"' if dash else "")


def _text(x: float, y: float, text: str, size: float = 10, anchor: str = "middle", extra: str = "") -> str:
    """A text element; lines split on "\\n", centred on `y` as a block."""
    lines = str(text).split("\n")
    attrs = f'x="{_num(x)}" y="{_num(y)}" font-size="{size:g}" text-anchor="{anchor}"{extra}'
    if len(lines) == 1:
        return f"<text {attrs}>{_esc(text)}</text>"
    spans = "".join(f'<tspan x="{_num(x)}" dy="{(1.15 if i else -0.575 * (len(lines) - 1)):g}em">{_esc(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f"<text {attrs}>{spans}</text>"


def _draw(m: _Mark, x: Scale, y: Scale, box: tuple[float, float, float, float]) -> str:
    bx, by, bw, bh = box
    label = f' data-label="{_esc(m.label)}"' if m.label else ""
    if m.kind in ("line", "area"):
        xs, ys = [x(v) for v in m.xs], [y(v) for v in m.ys]
        if m.extra.get("step"):
            xs, ys = _steps(xs, ys)
        if m.kind == "line":
            return f'<polyline class="line"{label} points="{_points(xs, ys)}" {_style(m)}/>'
        base_x, base_y = [x(v) for v in m.xs], [y(v) for v in m.extra["base"]]
        if m.extra.get("step"):
            base_x, base_y = _steps(base_x, base_y)
        pts = _points(xs + base_x[::-1], ys + base_y[::-1])
        return f'<polygon class="area"{label} points="{pts}" {_style(m, fill=True)}/>'
    if m.kind == "hline":
        return f'<line class="hline"{label} x1="{_num(bx)}" x2="{_num(bx + bw)}" y1="{_num(y(m.ys[0]))}" ' \
               f'y2="{_num(y(m.ys[0]))}" {_style(m)}/>'
    if m.kind == "vline":
        return f'<line class="vline"{label} x1="{_num(x(m.xs[0]))}" x2="{_num(x(m.xs[0]))}" y1="{_num(by)}" ' \
               f'y2="{_num(by + bh)}" {_style(m)}/>'
    if m.kind == "xspan":
        x0, x1 = sorted((x(m.xs[0]), x(m.xs[1])))
        return f'<rect class="xspan"{label} x="{_num(x0)}" y="{_num(by)}" width="{_num(x1 - x0)}" ' \
               f'height="{_num(bh)}" {_style(m, fill=True)}/>'
    if m.kind == "bars":
        horizontal, half = m.extra["horizontal"], m.extra["thickness"] / 2
        value, place = (x, y) if horizontal else (y, x)
        base = value(value.lo if value.log else 0.0)
        rects = []
        for i, (v, colour) in enumerate(zip(m.ys if not horizontal else m.xs, m.extra["colours"])):
            a, b = sorted((place(i + m.extra["offset"] - half), place(i + m.extra["offset"] + half)))
            c, d = sorted((base, value(v)))
            xy = (c, a, d - c, b - a) if horizontal else (a, c, b - a, d - c)
            rects.append(f'<rect class="bar" x="{_num(xy[0])}" y="{_num(xy[1])}" width="{_num(xy[2])}" '
                         f'height="{_num(xy[3])}" fill="{colour}"/>')
        return f'<g class="bars"{label}>' + "".join(rects) + "</g>"
    if m.kind == "points":
        xs, ys = [x(v) for v in m.xs], [y(v) for v in m.ys]
        joined = f'<polyline points="{_points(xs, ys)}" {_style(m)}/>' if m.extra.get("joined") else ""
        dots = "".join(f'<circle cx="{_num(a)}" cy="{_num(b)}" r="3.5" fill="{m.colour}"/>' for a, b in zip(xs, ys))
        return f'<g class="points"{label}>{joined}{dots}</g>'
    return _text(x(m.xs[0]), y(m.ys[0]) + m.extra["dy"], m.extra["text"], m.extra["size"], m.extra["anchor"],
                 ' class="annotation"')


class Panel:
    """One plot area of a Chart: its axes, its marks (drawn in the order added) and an optional twin."""

    def __init__(self, chart: Chart, grid: tuple[int, int, int, int], title: str = "", xlabel: str = "",
                 ylabel: str = "") -> None:
        self.chart, self.grid, self.title = chart, grid, title
        self.xaxis, self.yaxis = Axis(label=xlabel), Axis(label=ylabel)
        self.marks: list[_Mark] = []
        self.twin_panel: Panel | None = None

    def x(self, lo: float | None = None, hi: float | None = None, *, log: bool = False,
          categories: list[str] | None = None) -> Panel:
        """Set the x axis' limits (None: fit the data), log scale or category names (at 0, 1, 2, ...)."""
        self.xaxis = Axis(lo, hi, log, categories, self.xaxis.label)
        return self

    def y(self, lo: float | None = None, hi: float | None = None, *, log: bool = False,
          categories: list[str] | None = None) -> Panel:
        """Set the y axis like `x`; categories run from the top down."""
        self.yaxis = Axis(lo, hi, log, categories, self.yaxis.label)
        return self

    def twin(self, ylabel: str = "") -> Panel:
        """A second y axis on the right, sharing this panel's x axis; add its marks to what this returns."""
        if self.twin_panel is None:
            self.twin_panel = Panel(self.chart, self.grid, ylabel=ylabel)
        return self.twin_panel

    def _add(self, kind: str, xs: Any, ys: Any, **style: Any) -> Panel:
        extra = style.pop("extra", {})
        self.marks.append(_Mark(kind, _floats(xs), _floats(ys), extra=extra, **style))
        return self

    def line(self, xs: Any, ys: Any, colour: str, *, width: float = 1.5, dash: str = "", label: str = "",
             step: bool = False) -> Panel:
        """A line through (xs, ys); `step`: each value holds until the next x (matplotlib's where="post")."""
        return self._add("line", xs, ys, colour=colour, width=width, dash=dash, label=label, extra={"step": step})

    def area(self, xs: Any, ys: Any, colour: str, *, base: Any = None, opacity: float = 0.7, label: str = "",
             step: bool = True) -> Panel:
        """The area between `base` (default 0) and `ys`, filled."""
        base = _floats(base) if base is not None else [0.0] * len(_floats(ys))
        return self._add("area", xs, ys, colour=colour, opacity=opacity, label=label,
                         extra={"base": base, "step": step})

    def stacked_areas(self, xs: Any, layers: list[tuple[Any, str, str]], *, opacity: float = 0.8,
                      step: bool = True) -> Panel:
        """(ys, colour, label) layers stacked on each other from 0 up, as step areas by default."""
        base = [0.0] * len(_floats(xs))
        for ys, colour, label in layers:
            top = [b + v for b, v in zip(base, _floats(ys))]
            self.area(xs, top, colour, base=base, opacity=opacity, label=label, step=step)
            base = top
        return self

    def hline(self, y: float, colour: str, *, dash: str = "--", width: float = 1.0, label: str = "") -> Panel:
        """A horizontal reference line across the panel at `y`."""
        return self._add("hline", [], [y], colour=colour, dash=dash, width=width, label=label)

    def vline(self, x: float, colour: str, *, dash: str = "--", width: float = 1.0, label: str = "") -> Panel:
        """A vertical reference line across the panel at `x`."""
        return self._add("vline", [x], [], colour=colour, dash=dash, width=width, label=label)

    def xspan(self, x0: float, x1: float, colour: str, *, opacity: float = 0.12, label: str = "") -> Panel:
        """A shaded band from `x0` to `x1`, the panel's full height."""
        return self._add("xspan", [x0, x1], [], colour=colour, opacity=opacity, label=label)

    def bars(self, values: Any, colour: str | list[str], *, horizontal: bool = False, offset: float = 0.0,
             thickness: float = 0.8, label: str = "") -> Panel:
        """One bar per category (the i-th value at category i, shifted by `offset`: grouped bars)."""
        values = _floats(values)
        colours = [colour] * len(values) if isinstance(colour, str) else list(colour)
        places = [i + offset for i in range(len(values))]
        xs, ys = (values, places) if horizontal else (places, values)
        return self._add("bars", xs, ys, colour=colours[0] if colours else INK, label=label,
                         extra={"horizontal": horizontal, "offset": offset, "thickness": thickness,
                                "colours": colours})

    def points(self, xs: Any, ys: Any, colour: str, *, joined: bool = False, label: str = "") -> Panel:
        """Dots at (xs, ys), joined by a line if `joined`."""
        return self._add("points", xs, ys, colour=colour, label=label, extra={"joined": joined})

    def text(self, x: float, y: float, text: str, *, dy: float = 0.0, size: float = 9,
             anchor: str = "middle") -> Panel:
        """A small annotation at (x, y), moved `dy` pixels down (negative: up)."""
        return self._add("text", [x], [y], extra={"text": text, "dy": dy, "size": size, "anchor": anchor})

    def _layout(self) -> _Layout:
        cx, cy, cw, ch = self.chart.cell(self.grid)
        twin = self.twin_panel
        xt = _ticks(self.xaxis, _data(self.marks + (twin.marks if twin else []), True), min(6, max(2, round(cw / 100))))
        count = min(6, max(2, round(ch / 45)))
        yt = _ticks(self.yaxis, _data(self.marks, False), count)
        tt = _ticks(twin.yaxis, _data(twin.marks, False), count) if twin else None
        left = 10 + (16 if self.yaxis.label else 0) + max(text_width(t, 10) for t in yt.labels or [""])
        right = 14 + (((16 if tt and twin.yaxis.label else 0) + max(text_width(t, 10) for t in tt.labels or [""]))
                      if tt else 0)
        top, bottom = (26 if self.title else 10), 10 + 12 * _lines(xt.labels) + (16 if self.xaxis.label else 0)
        bx, by, bw, bh = box = (cx + left, cy + top, cw - left - right, ch - top - bottom)
        down = self.yaxis.categories is not None  # categories read from the top down
        return _Layout(box, Scale(xt.lo, xt.hi, bx, bx + bw, self.xaxis.log),
                       Scale(yt.lo, yt.hi, *((by, by + bh) if down else (by + bh, by)), self.yaxis.log), xt, yt,
                       Scale(tt.lo, tt.hi, by + bh, by, twin.yaxis.log) if twin and tt else None, tt)

    def scales(self) -> tuple[Scale, Scale]:
        """The (x, y) scales as drawn now: pixel positions of data values."""
        layout = self._layout()
        return layout.x, layout.y

    def svg(self) -> str:
        """This panel as an SVG group (the chart places it)."""
        box, x, y, xt, yt, ty, tt = self._layout()
        bx, by, bw, bh = box
        twin_label = self.twin_panel.yaxis.label if self.twin_panel else ""
        out = [f'<g class="panel" data-title="{_esc(self.title)}">']
        grid = "".join(f"M{_num(x(v))},{_num(by)}v{_num(bh)}" for v in xt.values if self.xaxis.categories is None)
        grid += "".join(f"M{_num(bx)},{_num(y(v))}h{_num(bw)}" for v in yt.values if self.yaxis.categories is None)
        if grid:
            out.append(f'<path class="grid" d="{grid}" stroke="{GRID}" stroke-width="1"/>')
        # A nested <svg> clips what it holds to its own viewport: the marks stay inside the axes.
        out.append(f'<svg x="{_num(bx)}" y="{_num(by)}" width="{_num(bw)}" height="{_num(bh)}" '
                   f'viewBox="{_num(bx)} {_num(by)} {_num(bw)} {_num(bh)}">')
        marks = [(m, y) for m in self.marks] + [(m, ty) for m in (self.twin_panel.marks if ty else [])]
        out += [_draw(m, x, scale, box) for m, scale in marks if m.kind != "text"]
        out.append("</svg>")
        out += [_draw(m, x, scale, box) for m, scale in marks if m.kind == "text"]
        out.append(f'<rect class="frame" x="{_num(bx)}" y="{_num(by)}" width="{_num(bw)}" height="{_num(bh)}" '
                   f'fill="none" stroke="{FRAME}" stroke-width="1"/>')
        ticks = "".join(f"M{_num(x(v))},{_num(by + bh)}v4" for v in xt.values)
        ticks += "".join(f"M{_num(bx)},{_num(y(v))}h-4" for v in yt.values)
        ticks += "".join(f"M{_num(bx + bw)},{_num(ty(v))}h4" for v in (tt.values if ty and tt else []))
        out.append(f'<path d="{ticks}" stroke="{FRAME}" stroke-width="1"/>')
        out += [_text(x(v), by + bh + 16, t, extra=' class="tick x"') for v, t in zip(xt.values, xt.labels)]
        out += [_text(bx - 7, y(v) + 3.5, t, anchor="end", extra=' class="tick y"')
                for v, t in zip(yt.values, yt.labels)]
        if ty and tt:
            out += [_text(bx + bw + 7, ty(v) + 3.5, t, anchor="start", extra=' class="tick twin"')
                    for v, t in zip(tt.values, tt.labels)]
        if self.title:
            out.append(_text(bx + bw / 2, by - 9, self.title, 13, extra=' class="title"'))
        if self.xaxis.label:
            out.append(_text(bx + bw / 2, by + bh + 19 + 12 * _lines(xt.labels), self.xaxis.label, 11,
                             extra=' class="xlabel"'))
        cell_x, _, cell_w, _ = self.chart.cell(self.grid)
        for side, label, at in (("ylabel", self.yaxis.label, cell_x + 14),
                                ("twin", twin_label, cell_x + cell_w - 6)):
            if label:
                out.append(_text(at, by + bh / 2, label, 11,
                                 extra=f' class="{side}" transform="rotate(-90 {_num(at)} {_num(by + bh / 2)})"'))
        out.append("</g>")
        return "".join(out)


class Chart:
    """A figure as SVG: panels on a `rows` × `cols` grid above one legend shared by all of them."""

    def __init__(self, width: int = 880, height: int = 440, rows: int = 1, cols: int = 1) -> None:
        self.width, self.height, self.rows, self.cols = width, height, rows, cols
        self.panels: list[Panel] = []

    def panel(self, row: int = 0, col: int = 0, rowspan: int = 1, colspan: int = 1, *, title: str = "",
              xlabel: str = "", ylabel: str = "") -> Panel:
        """A new panel in the grid cells from (row, col), spanning `rowspan` × `colspan`."""
        panel = Panel(self, (row, col, rowspan, colspan), title, xlabel, ylabel)
        self.panels.append(panel)
        return panel

    def legend(self) -> list[_Mark]:
        """The legend's entries: the first mark with each label, in the order the panels drew them."""
        seen: dict[str, _Mark] = {}
        for panel in self.panels:
            for mark in panel.marks + (panel.twin_panel.marks if panel.twin_panel else []):
                if mark.label and mark.label not in seen:
                    seen[mark.label] = mark
        return list(seen.values())

    def _legend_grid(self) -> tuple[int, int, float]:
        entries = self.legend()
        if not entries:
            return 0, 0, 0.0
        column = max(34 + text_width(m.label, 11) for m in entries)
        cols = max(1, min(len(entries), int((self.width - 20) // column)))
        rows = math.ceil(len(entries) / cols)
        return rows, math.ceil(len(entries) / rows), column

    def cell(self, grid: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
        """The pixel box (x, y, width, height) of grid cells (row, col, rowspan, colspan)."""
        rows, _, _ = self._legend_grid()
        w, h = self.width / self.cols, (self.height - rows * LEGEND_ROW - (6 if rows else 0)) / self.rows
        row, col, rowspan, colspan = grid
        return col * w, row * h, colspan * w, rowspan * h

    def _legend_svg(self) -> str:
        rows, cols, column = self._legend_grid()
        if not rows:
            return ""
        left, top = (self.width - cols * column) / 2, self.height - rows * LEGEND_ROW - 2
        out = ['<g class="legend">']
        for i, m in enumerate(self.legend()):
            x, y = left + (i % cols) * column, top + (i // cols) * LEGEND_ROW + LEGEND_ROW / 2
            if m.kind in ("line", "hline", "vline"):
                swatch = f'<line x1="{_num(x)}" x2="{_num(x + 24)}" y1="{_num(y)}" y2="{_num(y)}" {_style(m)}/>'
            elif m.kind == "points":
                swatch = f'<circle cx="{_num(x + 12)}" cy="{_num(y)}" r="3.5" fill="{m.colour}"/>'
            else:
                swatch = f'<rect x="{_num(x)}" y="{_num(y - 5)}" width="24" height="10" {_style(m, fill=True)}/>'
            out.append(f'<g data-label="{_esc(m.label)}">{swatch}{_text(x + 30, y + 4, m.label, 11, "start")}</g>')
        out.append("</g>")
        return "".join(out)

    def svg(self) -> str:
        """The whole chart as an SVG document."""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" font-family="{FONT}" fill="{INK}">'
                f'<rect width="100%" height="100%" fill="white"/>'
                + "".join(p.svg() for p in self.panels) + self._legend_svg() + "</svg>")

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<Chart {self.width}x{self.height} with {len(self.panels)} panels>"
