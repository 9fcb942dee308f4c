"""Problems found in the input, each naming the file, the record and the field, with a fix.

Every check in saydo reports `Problem`s instead of raising, so one run shows every mistake.
Text from the input is shown through `printable`, so a control character or a right-to-left
override in a value can neither reorder nor rewrite the line a user reads."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def printable(text: object) -> str:
    """Text safe to print on a terminal or in a log: every character that is not printable
    (control characters such as ESC, NUL and BEL, and format characters such as the
    right-to-left override) is shown as its escape, \\x1b or \\u202e, so it can neither run
    nor reorder what surrounds it. Letters of every script, Arabic included, are left alone."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode() for c in text
    )


def unusual_characters(text: object, limit: int = 3) -> str:
    """The characters of an identifier-like value that are not plain ASCII, named, so that a
    Cyrillic "а" in an id that looks Latin, or an invisible zero-width space, is pointed at
    instead of echoed as if it were valid. Empty when there are none."""
    found = [
        f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED CHARACTER')} (character {i})"
        for i, c in enumerate(str(text), 1)
        if ord(c) > 0x7E or ord(c) < 0x20
    ]
    if not found:
        return ""
    shown = ", ".join(found[:limit]) + (
        f" and {len(found) - limit} more" if len(found) > limit else ""
    )
    return (
        f"It holds {shown}, which is not plain ASCII: a letter from another script can look "
        f"exactly like a Latin one, and some characters are invisible."
    )


def printable_lines(text: str) -> str:
    """`printable`, line by line: the line breaks stay, everything else is made inert."""
    return "\n".join(printable(line) for line in text.split("\n"))


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
        where = printable(self.file) + (f":{self.line}" if self.line else "")
        parts = [f"{where}: {printable(self.record)}" if self.record else where]
        if self.field:
            parts.append(f"field '{printable(self.field)}'")
        text = ", ".join(parts) + f": {printable(self.message)}"
        if self.hint:
            text += f" Fix: {printable(self.hint)}"
        return text


def _reading_order(p: Problem) -> tuple:
    """By file, line and field, then by every other part: two problems of one field on one line
    (a claim recorded before its company and before its source) come out in one order on every
    run, not in the order of a set's string hashes, which change from run to run."""
    return (p.file, p.line or 0, p.field, p.rule, p.message, p.record, p.hint)


class InputError(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_reading_order)
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
