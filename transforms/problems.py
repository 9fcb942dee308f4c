"""Problems found in the input, each naming the file, the record and the field, with a fix.

Every check in saydo reports `Problem`s instead of raising, so one run shows every mistake."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    record: str
    field: str
    message: str
    hint: str = ""
    rule: str = ""

    def render(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [f"{where}: {self.record}" if self.record else where]
        if self.field:
            parts.append(f"field '{self.field}'")
        text = ", ".join(parts) + f": {self.message}"
        if self.hint:
            text += f" Fix: {self.hint}"
        return text


class InputError(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.field))
        super().__init__(self.render())

    def render(self, limit: int = 200) -> str:
        shown = self.problems[:limit]
        lines = [f"saydo found {len(self.problems)} problem(s) in the input; nothing was written."]
        lines += [f"  - {p.render()}" for p in shown]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Origin:
    """Where a row came from: its file, the line its record starts on, and the line of each
    field's value (case files) so a problem can point at the exact line."""

    file: str
    line: int | None
    record: str
    field_lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, field: str) -> int | None:
        return dict(self.field_lines).get(field, self.line)

    def problem(self, field: str, message: str, hint: str = "", rule: str = "") -> Problem:
        return Problem(self.file, self.line_of(field), self.record, field, message, hint, rule)


class Origins:
    """Where each row of a table came from, by row number. Case-file rows keep their Origin;
    a feed's rows are described by one segment and made into an Origin only when a problem
    points at one, so a feed of millions of rows costs nothing here."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._segments: list[tuple] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def append(self, origin: Origin) -> None:
        if self._segments and self._segments[-1][0] == "case":
            self._segments[-1][1].append(origin)
        else:
            self._starts.append(self._length)
            self._segments.append(("case", [origin]))
        self._length += 1

    def add_feed(self, file: str, first_line: int, noun: str, labels) -> None:
        """`labels` is a polars frame of the label columns, one row per feed row."""
        self._starts.append(self._length)
        self._segments.append(("feed", (file, first_line, noun, labels)))
        self._length += labels.height

    def __getitem__(self, row: int) -> Origin:
        import bisect

        index = bisect.bisect_right(self._starts, row) - 1
        kind, data = self._segments[index]
        offset = row - self._starts[index]
        if kind == "case":
            return data[offset]
        file, first_line, noun, labels = data
        label = " -> ".join("?" if v is None else str(v) for v in labels.row(offset))
        return Origin(file, first_line + offset, f"{noun} {label}")
