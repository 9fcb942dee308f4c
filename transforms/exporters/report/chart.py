"""A company's gap score over time on the published clock: the score it would have had at the
end of each quarter from everything published by then, as a step line over the bands, with the
quarters in which it moved marked by the numbers of the items that moved it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from transforms.exporters.report.timeline import CHAR_WIDTH, FONT, LEFT, RIGHT, WIDTH, Rows, esc

BANDS = (
    (0, 25, "low", "#ecfccb"),
    (25, 50, "moderate", "#fef3c7"),
    (50, 75, "high", "#ffedd5"),
    (75, 100, "severe", "#fee2e2"),
)


def quarter_end(day: dt.date) -> dt.date:
    month = (day.month - 1) // 3 * 3 + 3
    following = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def quarters(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of each quarter from first's to last's. Counted, not stepped day by day to
    the next quarter's end: a slip in quarter_end gives wrong quarters that a test sees, never a
    loop that fills memory."""

    def number(day: dt.date) -> int:
        return day.year * 4 + (day.month - 1) // 3

    return [
        quarter_end(dt.date(n // 4, n % 4 * 3 + 1, 1))
        for n in range(number(first), number(last) + 1)
    ]


@dataclass
class Point:
    quarter: dt.date
    score: float | None  # None: nothing tested yet
    moved_by: list[int] = field(default_factory=list)  # item numbers public that quarter


def score_chart_svg(points: list[Point], company: str) -> str:
    top, bottom = 40, 200
    left, right = LEFT + 36, WIDTH - RIGHT - 10
    body: list[str] = [
        f'<text x="{LEFT}" y="18" font-weight="600" fill="#18181b">Gap score at the end of each '
        f"quarter, from what had been published by then (0 to 100)</text>",
    ]
    height = 90
    if not points:
        body.append(
            f'<text x="{LEFT}" y="60" fill="#52525b">No claim of {esc(company)} is tested by '
            f"the recorded evidence.</text>"
        )
        return _wrap(body, height, company)

    def y_of(score: float) -> float:
        return bottom - (bottom - top) * score / 100

    step = (right - left) / max(len(points), 1)

    def x_of(i: int) -> float:
        return left + step * i

    for low, high, name, colour in BANDS:
        body.append(
            f'<rect x="{left}" y="{y_of(high):.1f}" width="{right - left}" '
            f'height="{y_of(low) - y_of(high):.1f}" fill="{colour}"/>'
            f'<text x="{right - 4}" y="{y_of(high) + 13:.1f}" text-anchor="end" '
            f'fill="#71717a" font-size="11">{name}</text>'
        )
    for value in (0, 25, 50, 75, 100):
        body.append(
            f'<text x="{left - 6}" y="{y_of(value) + 4:.1f}" text-anchor="end" '
            f'fill="#52525b">{value}</text>'
        )
    # A label per year at its first quarter (every few years when there are many).
    years = sorted({p.quarter.year for p in points})
    every = max(1, -(-len(years) // 12))
    labels = []
    for i, point in enumerate(points):
        first_of_year = i == 0 or points[i - 1].quarter.year != point.quarter.year
        if first_of_year and (point.quarter.year - years[0]) % every == 0:
            label = str(point.quarter.year) if point.quarter.month == 3 else _quarter(point)
            labels.append((x_of(i), label))
    # A first part-year ("Q4 2019") too close to the next year's label gives way to it.
    if len(labels) > 1 and labels[0][0] + CHAR_WIDTH * len(labels[0][1]) + 8 > labels[1][0]:
        labels = labels[1:]
    for x, label in labels:
        body.append(
            f'<text class="quarter" x="{x:.1f}" y="{bottom + 16}" fill="#52525b">{label}</text>'
        )
    path, previous = [], None
    for i, point in enumerate(points):
        if point.score is None:
            previous = None
            continue
        x, y = x_of(i), y_of(point.score)
        path.append(f"M{x:.1f} {y:.1f}" if previous is None else f"L{x:.1f} {y:.1f}")
        path.append(f"L{x + step:.1f} {y:.1f}")
        previous = y
    if path:
        body.append(
            f'<path class="score-line" d="{" ".join(path)}" fill="none" stroke="#18181b" '
            f'stroke-width="2"/>'
        )
    rows, deepest = Rows(), -1
    for i, point in enumerate(points):
        if not point.moved_by or point.score is None:
            continue
        x = x_of(i)
        text = ", ".join(str(n) for n in point.moved_by)
        width = CHAR_WIDTH * len(text) + 8
        box_left = min(x - 4, WIDTH - 4 - width)
        # The dashed lines end above the numbers, so only the numbers must not meet.
        row = next(r for r in range(len(rows) + 1) if rows.free(r, box_left, box_left + width))
        rows.take(row, (box_left, box_left + width), None)
        deepest = max(deepest, row)
        body.append(
            f'<g class="event" data-quarter="{point.quarter.isoformat()}">'
            f'<line x1="{x:.1f}" y1="{bottom + 20}" x2="{x:.1f}" y2="{y_of(point.score):.1f}" '
            f'stroke="#a1a1aa" stroke-dasharray="3 3"/>'
            f'<circle cx="{x:.1f}" cy="{y_of(point.score):.1f}" r="4" fill="#18181b"/>'
            f'<text class="event-label" x="{box_left + 4:.1f}" y="{bottom + 36 + 16 * row}" '
            f'fill="#18181b">{esc(text)}</text></g>'
        )
    height = bottom + 36 + 16 * (deepest + 1) + 24
    body.append(
        f'<text x="{LEFT}" y="{height - 6}" fill="#52525b" font-size="11">Numbers under the '
        f"chart: the items of the timeline that became public in the quarter the score moved."
        f"</text>"
    )
    return _wrap(body, height, company)


def _wrap(body: list[str], height: int, company: str) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" role="img" '
            f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
            f'font-family="{esc(FONT)}" font-size="12">',
            f"<title>{esc(company)}: gap score at the end of each quarter</title>",
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
            *body,
            "</svg>",
        ]
    )


def _quarter(point: Point) -> str:
    return f"Q{(point.quarter.month - 1) // 3 + 1} {point.quarter.year}"
