"""Small server-drawn SVG charts (no JavaScript, no CDN): daily stacked bars, horizontal bars.

Every text is escaped; each bar carries a ``<title>`` so hovering shows its exact figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

__all__ = ["HBar", "Series", "daily_bars", "horizontal_bars"]

_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Series:
    """One stacked series of the daily chart (for example "điện tử")."""

    name: str
    color: str


@dataclass(frozen=True)
class HBar:
    """One row of a horizontal bar chart.

    Attributes:
        label: the row name.
        value: the bar length in chart units.
        text: the figure written after the bar.
        marker: optional position of a reference tick (for example the 2019 share).
        marker_text: tooltip of the tick.
    """

    label: str
    value: float
    text: str
    marker: float | None = None
    marker_text: str = ""


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = float(10 ** (len(str(int(value))) - 1))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def daily_bars(
    days: Sequence[str],
    values: Sequence[Sequence[int]],
    series: Sequence[Series],
    title: str,
    width: int = 760,
    height: int = 240,
) -> Markup:
    """A stacked bar per day.

    Args:
        days: the x labels (``dd/mm``), one per day.
        values: for each day, one count per series.
        series: names and colours of the stacked parts, bottom first.
        title: accessible title of the chart.
        width: drawing width in pixels.
        height: drawing height in pixels.
    """
    left, right, top, bottom = 40, 10, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_ceiling(max((sum(v) for v in values), default=0))
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.7, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        figure = peak * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            'stroke="#e3e7ee" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {_FONT} fill="#5b6472">'
            f"{figure:g}</text>"
        )
    label_every = max(1, round(len(days) / 12))
    for index, (day, counts) in enumerate(zip(days, values, strict=True)):
        x = left + index * slot + (slot - bar_w) / 2
        y = top + plot_h
        for serie, count in zip(series, counts, strict=True):
            if count <= 0:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{serie.color}"><title>{escape(day)} — {escape(serie.name)}: {count}'
                "</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'{_FONT} fill="#5b6472">{escape(day)}</text>'
            )
    legend_x = left
    for serie in series:
        parts.append(
            f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{serie.color}"/>'
            f'<text x="{legend_x + 16}" y="18" {_FONT} fill="#1f2733">{escape(serie.name)}</text>'
        )
        legend_x += 24 + 7 * len(serie.name)
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(
    rows: Sequence[HBar],
    title: str,
    maximum: float | None = None,
    color: str = "#1f6feb",
    width: int = 760,
    label_width: int = 190,
) -> Markup:
    """One horizontal bar per row, with an optional reference tick per row.

    Args:
        rows: the rows, drawn top to bottom.
        title: accessible title of the chart.
        maximum: the value of a full-length bar (default: the largest value).
        color: the bar colour.
        width: drawing width in pixels.
        label_width: room for the row labels on the left.
    """
    row_h, top = 22, 6
    height = top * 2 + row_h * max(len(rows), 1)
    text_w = 80
    plot_w = width - label_width - text_w
    peak = maximum or _nice_ceiling(max((r.value for r in rows), default=0))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, row in enumerate(rows):
        y = top + index * row_h
        length = plot_w * min(row.value, peak) / peak if peak else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" {_FONT} '
            f'fill="#1f2733">{escape(row.label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{plot_w}" height="14" fill="#eef1f5"/>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="14" '
            f'fill="{color}"><title>{escape(row.label)}: {escape(row.text)}</title></rect>'
            f'<text x="{label_width + plot_w + 6}" y="{y + 15}" {_FONT} fill="#1f2733">'
            f"{escape(row.text)}</text>"
        )
        if row.marker is not None and peak:
            mx = label_width + plot_w * min(row.marker, peak) / peak
            parts.append(
                f'<rect x="{mx - 1.5:.1f}" y="{y + 1}" width="3" height="20" fill="#d1242f">'
                f"<title>{escape(row.marker_text)}</title></rect>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
