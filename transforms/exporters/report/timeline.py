"""A company's timeline as an SVG a reader understands without hovering: two lanes (what the
company said; what is documented), every mark numbered and labelled with a short title, dates
known only to the month or year drawn as spans, labels stacked so none overlaps another or a
leader line, and a legend inside the picture. The same SVG is embedded in the page and saved as
the story image.

Label widths are estimated from the text (generously: the browser tests measure the real boxes
and fail on any overlap)."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif"
# A generous width per character of 12 px text, so an estimated box always holds the real one.
CHAR_WIDTH = 7.4
BADGE = 20  # the numbered circle before each label
ROW = 24
GAP = 10
WIDTH = 1200
LEFT, RIGHT = 24, 24
UNDATED_WIDTH = 250

COLOURS = {
    "claim": "#1d4ed8",
    "response": "#7c3aed",
    "refuting": "#b91c1c",
    "evidence": "#52525b",
    "axis": "#71717a",
}


def esc(value: object) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def short_title(text: str, limit: int = 44) -> str:
    """The first words of a summary, cut at a word, for a label."""
    text = " ".join(str(text).split()).rstrip(".")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def period(date: dt.date | None, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """The days a date may mean: one day, its month, or its year."""
    if date is None:
        return None
    if precision == "year":
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if precision == "month":
        following = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
        return dt.date(date.year, date.month, 1), following - dt.timedelta(days=1)
    return date, date


def anchor_moment(date: dt.date | None, precision: str | None) -> dt.datetime | None:
    """Where a mark meets the axis: its day, or the middle of its month or year."""
    known = period(date, precision)
    if known is None:
        return None
    first, last = known
    start = dt.datetime.combine(first, dt.time())
    return start if first == last else start + (last - first + dt.timedelta(days=1)) / 2


@dataclass
class Item:
    number: int
    kind: str  # claim, evidence, response
    item_id: str
    date: dt.date | None
    precision: str | None
    title: str
    refutes: list[int] = field(default_factory=list)  # numbers of the claims it refutes
    retracted: bool = False

    @property
    def label(self) -> str:
        suffix = f" → {', '.join(str(n) for n in self.refutes)}" if self.refutes else ""
        return f"{self.title}{suffix}"

    @property
    def colour(self) -> str:
        if self.kind == "evidence":
            return COLOURS["refuting"] if self.refutes else COLOURS["evidence"]
        return COLOURS[self.kind]


@dataclass
class Placed:
    item: Item
    x0: float  # the mark: a point (x0 == x1) or a span
    x1: float
    anchor: float  # where the leader meets the axis track
    row: int
    box: tuple[float, float]  # the label's left and right


class Rows:
    """Rows of occupied space in one lane, row 0 nearest the axis. Each label keeps its whole box
    (badge and text) and, separately, its text: a leader may pass behind the badges of marks on
    the same date (beads on one string) but never through a label's words."""

    def __init__(self) -> None:
        self.boxes: list[list[tuple[float, float]]] = []
        self.texts: list[list[tuple[float, float]]] = []

    def __len__(self) -> int:
        return len(self.boxes)

    def free(self, row: int, left: float, right: float) -> bool:
        if row >= len(self.boxes):
            return True
        return all(right + GAP <= a or left >= b + GAP for a, b in self.boxes[row])

    def leader_clear(self, row: int, x: float) -> bool:
        if row >= len(self.texts):
            return True
        return all(x + 2 < a or x - 2 > b for a, b in self.texts[row])

    def take(self, row: int, box: tuple[float, float], text: tuple[float, float] | None) -> None:
        while len(self.boxes) <= row:
            self.boxes.append([])
            self.texts.append([])
        self.boxes[row].append(box)
        if text:
            self.texts[row].append(text)

    def place(self, anchor: float, width: float) -> int:
        """The nearest row where a label of `width` starting at `anchor` fits, its leader
        crossing no label's words below it. Labels are placed right to left and start at their
        anchor, so a row above every other is always free: the search ends."""
        left, right = anchor - BADGE / 2, anchor - BADGE / 2 + width
        row = 0
        while not (
            self.free(row, left, right) and all(self.leader_clear(r, anchor) for r in range(row))
        ):
            row += 1
        for r in range(row):  # the leader's path, so later labels leave it visible
            self.take(r, (anchor - 2, anchor + 2), None)
        self.take(row, (left, right), (left + BADGE, right))
        return row


def label_width(label: str) -> float:
    return BADGE + 6 + CHAR_WIDTH * len(label)


def fitted_title(item: Item, width: float) -> str:
    """The item's label, its title shortened (at a word) until the label fits in `width`."""
    suffix = item.label[len(item.title) :]
    limit = len(item.title)
    title = item.title
    while label_width(title + suffix) > width and limit > 8:
        limit -= 4
        title = short_title(item.title, limit)
    return title


# Room right of the last date for labels, so every label can start at its own mark.
LABEL_ROOM = 190


def layout(items: list[Item]) -> tuple[list[Placed], dict]:
    dated = [p for i in items if (p := period(i.date, i.precision))]
    first = min((a for a, _ in dated), default=dt.date(2000, 1, 1))
    last = max((b for _, b in dated), default=first)
    start, end = dt.date(first.year, 1, 1), dt.date(last.year + 1, 1, 1)
    undated = [i for i in items if i.date is None]
    right_edge = WIDTH - RIGHT - (UNDATED_WIDTH if undated else 0)
    plot_right = right_edge - LABEL_ROOM
    span = max((end - start).days, 1)

    def x_of(day: dt.date) -> float:
        return LEFT + BADGE / 2 + (plot_right - LEFT - BADGE / 2) * (day - start).days / span

    lanes = {"said": Rows(), "documented": Rows()}
    placed = []
    marks = []
    for item in items:
        known = period(item.date, item.precision)
        if known:
            x0, x1 = x_of(known[0]), x_of(known[1] + dt.timedelta(days=1))
            anchor = (x0 + x1) / 2 if known[0] != known[1] else x0
            high = right_edge
        else:
            x0 = x1 = anchor = right_edge + 20
            high = WIDTH - RIGHT
        marks.append((item, x0, x1, anchor, high))
    # Right to left; on one date the lowest number nearest the axis.
    for item, x0, x1, anchor, high in sorted(marks, key=lambda m: (-m[3], m[0].number)):
        lane = lanes["documented" if item.kind == "evidence" else "said"]
        item.title = fitted_title(item, high - (anchor - BADGE / 2))
        width = label_width(item.label)
        row = lane.place(anchor, width)
        left = anchor - BADGE / 2
        placed.append(Placed(item, x0, x1, anchor, row, (left, left + width)))
    placed.sort(key=lambda p: p.item.number)
    frame = {
        "start": start,
        "end": end,
        "x_of": x_of,
        "right_edge": right_edge,
        "plot_right": plot_right,
        "undated": bool(undated),
        "said_rows": len(lanes["said"]) or 1,
        "documented_rows": len(lanes["documented"]) or 1,
    }
    return placed, frame


def timeline_svg(items: list[Item], said_by: str, caption: str = "") -> str:
    """The timeline of `items` (numbered already) for the company `said_by`."""
    placed, frame = layout(items)
    legend_height = 34
    top = legend_height + 22
    said_height = frame["said_rows"] * ROW
    axis_y = top + said_height + 18
    documented_top = axis_y + 34
    height = documented_top + frame["documented_rows"] * ROW + 26 + (18 if caption else 0)
    documented_label_y = documented_top + frame["documented_rows"] * ROW + 16
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="{esc(FONT)}" font-size="12">',
        f"<title>Timeline: what {esc(said_by)} said, and what is documented</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _legend(),
        f'<text class="lane-label" x="{LEFT}" y="{top - 6}" font-weight="600" '
        f'fill="{COLOURS["claim"]}">What {esc(said_by)} said</text>',
        f'<text class="lane-label" x="{LEFT}" y="{documented_label_y}" font-weight="600" '
        f'fill="{COLOURS["evidence"]}">What is documented</text>',
    ]
    out += _axis(frame, axis_y)
    # Leaders first, so a leader passing the badges of marks on the same date runs behind them.
    out.append('<g class="leaders">')
    for p in placed:
        out.append(_leader(p, axis_y, top, said_height, documented_top))
    out.append("</g>")
    for p in placed:
        out += _mark(p, axis_y, top, said_height, documented_top)
    if caption:
        out.append(
            f'<text class="caption" x="{LEFT}" y="{height - 8}" fill="#52525b" font-size="11">'
            f"{esc(caption)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _legend() -> str:
    entries = [
        ("circle", COLOURS["claim"], "a claim by the company"),
        ("diamond", COLOURS["response"], "its reply"),
        ("square", COLOURS["refuting"], "evidence refuting claims → their numbers"),
        ("square", COLOURS["evidence"], "other evidence"),
        ("span", COLOURS["axis"], "a bar: dated only to a month or year"),
    ]
    parts, x = ['<g class="legend">'], LEFT
    for shape, colour, text in entries:
        y = 20
        if shape == "circle":
            parts.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="5" fill="{colour}"/>')
        elif shape == "diamond":
            parts.append(f'<path d="M{x + 6} {y - 10} l6 6 l-6 6 l-6 -6 z" fill="{colour}"/>')
        elif shape == "square":
            parts.append(f'<rect x="{x + 1}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        else:
            parts.append(
                f'<rect x="{x}" y="{y - 7}" width="16" height="6" rx="3" fill="{colour}"/>'
            )
        parts.append(f'<text x="{x + 20}" y="{y}" fill="#3f3f46">{esc(text)}</text>')
        x += 26 + CHAR_WIDTH * len(text) + 14
    parts.append("</g>")
    return "".join(parts)


def _axis(frame: dict, axis_y: float) -> list[str]:
    x_of = frame["x_of"]
    out = [
        f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{frame["plot_right"]}" '
        f'y2="{axis_y}" stroke="{COLOURS["axis"]}"/>'
    ]
    years = list(range(frame["start"].year, frame["end"].year + 1))
    # One label per year, or per few years when many, each inside its own span.
    step = max(1, -(-len(years) // 14))
    for year in years:
        x = x_of(dt.date(year, 1, 1))
        out.append(
            f'<line class="tick" x1="{x:.1f}" y1="{axis_y - 4}" x2="{x:.1f}" y2="{axis_y + 4}" '
            f'stroke="{COLOURS["axis"]}"/>'
        )
        if year < years[-1] and (year - years[0]) % step == 0:
            out.append(
                f'<text class="year" x="{x + 3:.1f}" y="{axis_y + 17}" fill="#52525b">{year}</text>'
            )
    if frame["undated"]:
        x = frame["right_edge"] + 12
        out.append(f'<text class="year" x="{x}" y="{axis_y + 17}" fill="#52525b">undated</text>')
    return out


def _geometry(p: Placed, axis_y: float, top: float, said_height: float, documented_top: float):
    """The mark's track, and its label's baseline and middle."""
    said = p.item.kind != "evidence"
    track = axis_y - 8 if said else axis_y + 8
    said_baseline = top + said_height - p.row * ROW - 6
    baseline = said_baseline if said else documented_top + p.row * ROW + 12
    return said, track, baseline, baseline - 4


def _leader(p: Placed, *frame: float) -> str:
    said, track, _, label_middle = _geometry(p, *frame)
    return (
        f'<line class="leader" data-number="{p.item.number}" x1="{p.anchor:.1f}" '
        f'y1="{track:.1f}" x2="{p.anchor:.1f}" y2="{label_middle + (6 if said else -6):.1f}" '
        f'stroke="{p.item.colour}" stroke-opacity=".35"/>'
    )


def _mark(p: Placed, *frame: float) -> list[str]:
    item = p.item
    _, track, baseline, label_middle = _geometry(p, *frame)
    opacity = ' opacity=".45"' if item.retracted else ""
    out = [
        f'<g class="item item-{item.kind}" data-id="{esc(item.item_id)}" '
        f'data-number="{item.number}"{opacity}>'
    ]
    colour = item.colour
    attributes = f'class="mark mark-{item.kind}" fill="{colour}"'
    if p.x1 - p.x0 > 3:
        out.append(
            f'<rect {attributes} data-span="1" x="{p.x0:.1f}" y="{track - 3:.1f}" '
            f'width="{p.x1 - p.x0:.1f}" height="6" rx="3" fill-opacity=".75"/>'
        )
    elif item.kind == "claim":
        out.append(f'<circle {attributes} cx="{p.anchor:.1f}" cy="{track:.1f}" r="5"/>')
    elif item.kind == "response":
        out.append(f'<path {attributes} d="M{p.anchor:.1f} {track - 6:.1f} l6 6 l-6 6 l-6 -6 z"/>')
    else:
        out.append(
            f'<rect {attributes} x="{p.anchor - 5:.1f}" y="{track - 5:.1f}" width="10" '
            f'height="10"/>'
        )
    left = p.box[0]
    out.append(
        f'<circle cx="{left + BADGE / 2:.1f}" cy="{label_middle:.1f}" r="{BADGE / 2 - 1}" '
        f'fill="{colour}"/>'
        f'<text class="number" x="{left + BADGE / 2:.1f}" y="{label_middle + 4:.1f}" '
        f'text-anchor="middle" fill="#ffffff" font-size="11" font-weight="700">'
        f"{item.number}</text>"
    )
    strike = ' text-decoration="line-through"' if item.retracted else ""
    out.append(
        f'<a href="#item-{item.number}"><text class="label" x="{left + BADGE + 4:.1f}" '
        f'y="{baseline:.1f}" fill="#18181b"{strike}>{esc(item.label)}</text></a>'
    )
    out.append("</g>")
    return out
