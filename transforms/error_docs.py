"""The rules table of docs/errors.md: every cross-table rule with its message and fix.

It is listed from `validations.integrity.rules()` itself, so a new rule appears in the docs when
`saydo docs` runs, and a test fails until it does. The rest of docs/errors.md is hand-written."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from validations.integrity import rules

_PLACEHOLDER_TODAY = dt.date(2000, 1, 1)


def rules_table() -> str:
    grouped: dict[str, list] = defaultdict(list)
    for rule in rules(_PLACEHOLDER_TODAY):
        grouped[rule.name.split(":")[0]].append(rule)
    lines = ["| rule | applies to | message | fix |", "|---|---|---|---|"]
    for kind, group in grouped.items():
        where = ", ".join(sorted({f"`{r.table}.{r.field}`" for r in group}))
        message = (
            group[0]
            .message.replace("{detail}", "…")
            .replace(_PLACEHOLDER_TODAY.isoformat(), "the date of the build")
            .replace("|", "\\|")
        )
        lines.append(f"| `{kind}` | {where} | {message} | {group[0].hint.replace('|', '/')} |")
    return "\n".join(lines)
