"""Inline SVG charts for the run report: plain strings, no JavaScript library and no network,
so the page renders offline and identically in any browser."""
from __future__ import annotations

from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 36, 56


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def _frame(chart_id: str, title: str, body: list[str], legend: list[str], y_max: float, y_label: str) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" data-chart="{escape(chart_id)}" role="img" '
        f'aria-label="{escape(title)}" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{LEFT}" y="20" class="chart-title">{escape(title)}</text>',
        f'<text x="12" y="{TOP + plot_h / 2}" class="axis-label" transform="rotate(-90 12 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
    ]
    for step in range(5):
        value = y_max * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_number(value)}</text>')
    parts.extend(body)
    for index, name in enumerate(legend):
        y = TOP + 14 * index
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{WIDTH - RIGHT + 14}" y="{y}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{WIDTH - RIGHT + 28}" y="{y + 9}" class="legend">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _empty(chart_id: str, title: str, message: str) -> str:
    return (
        f'<svg class="chart chart-empty" id="{escape(chart_id)}" data-chart="{escape(chart_id)}" width="{WIDTH}" '
        f'height="80" viewBox="0 0 {WIDTH} 80" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{LEFT}" y="20" class="chart-title">{escape(title)}</text>'
        f'<text x="{LEFT}" y="52" class="tick">{escape(message)}</text></svg>'
    )


MAX_X_LABELS = 6


def _x_labels(categories: list[str], x_of) -> list[str]:
    every = max(1, -(-len(categories) // MAX_X_LABELS))
    return [
        f'<text x="{x_of(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">{escape(c)}</text>'
        for i, c in enumerate(categories) if i % every == 0
    ]


def line_chart(chart_id: str, title: str, categories: list[str], series: dict[str, list[float]], y_label: str) -> str:
    """One polyline (with point markers) per series over shared x categories."""
    if not categories or not series:
        return _empty(chart_id, title, "no data yet")
    y_max = max([v for values in series.values() for v in values] + [0]) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(i: int) -> float:
        return LEFT + (plot_w * i / (len(categories) - 1) if len(categories) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * v / y_max

    body = _x_labels(categories, x_of)
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        body.append(f'<polyline class="series" data-series="{escape(name)}" fill="none" stroke="{color}" '
                    f'stroke-width="2" points="{points}"/>')
        body.extend(
            f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="2.5" fill="{color}"><title>{escape(name)} '
            f'{escape(categories[i])}: {_number(v)}</title></circle>'
            for i, v in enumerate(values)
        )
    return _frame(chart_id, title, body, list(series), y_max, y_label)


def bar_chart(
    chart_id: str, title: str, categories: list[str], series: dict[str, list[float]], y_label: str, stacked: bool = False
) -> str:
    """Grouped (or stacked) bars: one group per category, one bar (or segment) per series."""
    if not categories or not series:
        return _empty(chart_id, title, "no data yet")
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    y_max = (max(totals) if stacked else max(v for values in series.values() for v in values)) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / len(categories)
    bar_w = group_w * 0.7 / (1 if stacked else len(series))

    def x_of(i: int) -> float:
        return LEFT + group_w * (i + 0.5)

    body = _x_labels(categories, x_of)
    base = [0.0] * len(categories)
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        for i, value in enumerate(values):
            if not value:
                continue
            height = plot_h * value / y_max
            offset = base[i] if stacked else 0
            x = LEFT + group_w * i + group_w * 0.15 + (0 if stacked else bar_w * index)
            y = TOP + plot_h - plot_h * offset / y_max - height
            body.append(
                f'<rect class="bar" data-series="{escape(name)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{height:.1f}" fill="{color}"><title>{escape(name)} {escape(categories[i])}: '
                f'{_number(value)}</title></rect>'
            )
            if stacked:
                base[i] += value
    return _frame(chart_id, title, body, list(series), y_max, y_label)
