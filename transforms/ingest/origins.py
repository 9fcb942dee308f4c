"""Where every row came from, so a problem found anywhere (the door, a cross-table rule, a
release check) names the file, the line, the record and the field.

Every row carries `_origin`, a number. For a case-file row it is the index of its `Origin`
(file, the line its record starts on, the line of each field). For a feed row it is the feed's
number times 2^40 plus the row's position in the file: a feed of millions of rows costs nothing
here, and a CSV row's line is found only when a problem points at it (a quoted field can hold
line breaks, so a record's line is not its position)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from validations.problems import Origin

FEED_SHIFT = 40


@dataclass
class FeedFile:
    path: Path
    display: str
    table: str
    format: str  # csv or parquet
    _record_lines: list[int] | None = field(default=None, repr=False)

    def line_of(self, row: int) -> int:
        """The line a data record starts on (CSV: the header is line 1), or its row number
        counted from 1 (Parquet)."""
        if self.format != "csv":
            return row + 1
        if self._record_lines is None or row >= len(self._record_lines):
            self._record_lines = _csv_record_lines(self.path)
        return self._record_lines[row] if row < len(self._record_lines) else row + 2


def _csv_record_lines(path: Path) -> list[int]:
    """The line on which each data record of a CSV file starts, header excluded."""
    starts: list[int] = []
    # A cell may be as long as the file (DuckDB reads lines up to 2 MB); csv's default limit of
    # 128 KB would stop the lookup of a line with an error instead of a problem.
    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size + 1))
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        previous_end = 0
        for number, _ in enumerate(reader):
            if number > 0:
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    return starts


class Origins:
    def __init__(self) -> None:
        self.case: list[Origin] = []
        self.feeds: list[FeedFile] = []

    def add_case(self, origin: Origin) -> int:
        self.case.append(origin)
        return len(self.case) - 1

    def add_feed(self, feed: FeedFile) -> int:
        """The feed's first origin number; its row i has origin first + i."""
        self.feeds.append(feed)
        return len(self.feeds) << FEED_SHIFT

    def is_feed(self, origin_id: int) -> bool:
        return origin_id >= 1 << FEED_SHIFT

    def origin(self, origin_id: int, noun: str, label: str) -> Origin:
        """The Origin of a row; for a feed row, named by `noun` and its `label` values."""
        if not self.is_feed(origin_id):
            return self.case[origin_id]
        feed = self.feeds[(origin_id >> FEED_SHIFT) - 1]
        row = origin_id & ((1 << FEED_SHIFT) - 1)
        return Origin(feed.display, feed.line_of(row), f"{noun} {label}".rstrip())


def csv_header(data: bytes) -> list[str]:
    """The header row of a CSV file's first bytes."""
    text = data.decode("utf-8-sig", errors="replace")
    # newline="": a header ended by CR alone (old Mac files) is a header, not an error.
    return next(csv.reader(io.StringIO(text, newline="")), [])
