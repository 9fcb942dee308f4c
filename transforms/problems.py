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
