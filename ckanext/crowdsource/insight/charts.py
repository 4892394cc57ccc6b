"""Charts drawn on the server as SVG: bars and their labels placed here,
drawn by ``templates/crowdsource/insight/snippets/chart.html``.

Why SVG from the server rather than a JavaScript charting library: the
chart is in the page as it comes (no script to run, nothing to load from
elsewhere, no asset build), it scales to a phone's width, prints, and its
numbers are the same rows the table beside it and the CSV give, so a screen
reader user reads the table and loses nothing.
"""
from __future__ import annotations

import math
from typing import Any

# Okabe and Ito's palette: told apart with every common colour blindness
COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#555555")
WIDTH = 400
BAND = 22  # a horizontal bar's row, its label above it
LABEL = 14


def nice_max(value: float) -> float:
    """A round number at least ``value`` (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    return f"{value:g}"


def _series(names: list[str], labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": n, "label": labels.get(n, n), "color": COLORS[i % len(COLORS)]}
            for i, n in enumerate(names)]


def columns(rows: list[dict[str, Any]], key: str, series: list[str],
            labels: dict[str, str], stacked: bool = True) -> dict[str, Any]:
    """Upright bars, one group per row (a bucket of time), stacked or side
    by side."""
    height, left, bottom, top = 200, 34, 22, 8
    plot_w, plot_h = WIDTH - left - 4, height - top - bottom
    values = [[float(r.get(s) or 0) for s in series] for r in rows]
    peak = nice_max(max([sum(v) if stacked else max(v, default=0) for v in values],
                        default=0))
    n = max(len(rows), 1)
    slot = plot_w / n
    bars, xlabels = [], []
    every = max(1, math.ceil(n / 6))
    for i, (row, vals) in enumerate(zip(rows, values, strict=True)):
        x0 = left + i * slot + slot * 0.1
        width = slot * 0.8
        base = 0.0
        for j, v in enumerate(vals):
            if v <= 0:
                continue
            h = v / peak * plot_h
            if stacked:
                y = top + plot_h - (base + v) / peak * plot_h
                bars.append({"x": x0, "y": y, "w": width, "h": h, "color": COLORS[j % 7],
                             "title": f"{row[key]} {labels.get(series[j], series[j])}: "
                                      f"{_number(v)}"})
                base += v
            else:
                w = width / len(series)
                bars.append({"x": x0 + j * w, "y": top + plot_h - h, "w": w, "h": h,
                             "color": COLORS[j % 7],
                             "title": f"{row[key]} {labels.get(series[j], series[j])}: "
                                      f"{_number(v)}"})
        if i % every == 0:
            xlabels.append({"x": left + i * slot + slot / 2, "y": height - 6,
                            "text": str(row[key])[5:] if len(str(row[key])) == 10
                            else str(row[key])})
    ticks = [{"y": top + plot_h - f * plot_h, "text": _number(peak * f)}
             for f in (0, 0.5, 1)]
    return {"kind": "columns", "width": WIDTH, "height": height, "left": left,
            "plot_right": WIDTH - 4, "bars": bars, "xlabels": xlabels, "ticks": ticks,
            "series": _series(series, labels)}


def bars(rows: list[dict[str, Any]], key: str, series: list[str], labels: dict[str, str],
         names: dict[str, str] | None = None, stacked: bool = False) -> dict[str, Any]:
    """Lying bars, one row each with its label above it, stacked or side by
    side (then each series a thinner bar)."""
    names = names or {}
    values = [[float(r.get(s) or 0) for s in series] for r in rows]
    peak = nice_max(max([sum(v) if stacked else max(v, default=0) for v in values],
                        default=0))
    per_row = BAND if stacked else BAND * len(series) / 1.5
    left, plot_w = 4, WIDTH - 60
    out, texts, y = [], [], 4.0
    for row, vals in zip(rows, values, strict=True):
        label = names.get(str(row[key]), str(row[key]))
        texts.append({"x": left, "y": y + LABEL - 3, "text": label[:60]})
        y += LABEL
        base, thick = 0.0, (per_row - 6) / (1 if stacked else len(series))
        shown = []
        for j, v in enumerate(vals):
            w = v / peak * plot_w
            title = f"{label} {labels.get(series[j], series[j])}: {_number(v)}"
            if stacked:
                if v > 0:
                    out.append({"x": left + base / peak * plot_w, "y": y, "w": w,
                                "h": thick, "color": COLORS[j % 7], "title": title})
                base += v
            else:
                out.append({"x": left, "y": y + j * thick, "w": w, "h": thick - 1,
                            "color": COLORS[j % 7], "title": title})
                shown.append({"x": left + w + 3, "y": y + j * thick + thick - 3,
                              "text": _number(v)})
        if stacked:
            shown.append({"x": left + base / peak * plot_w + 3, "y": y + thick - 3,
                          "text": _number(base)})
        texts += shown
        y += per_row
    return {"kind": "bars", "width": WIDTH, "height": max(y, 20), "bars": out,
            "texts": texts, "series": _series(series, labels)}
