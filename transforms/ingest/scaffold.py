"""`saydo new-case`: a case file with every field written out as a comment, from the registry.

The scaffold is valid as written (a case header and empty sections); uncomment a record, fill it
in, and `saydo check` tells you what is missing. The title is written as a quoted YAML string, so
a colon or a `#` in it stays part of the title."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

from schemas.registry import AUTHORING, DATE, TABLE_ORDER, TABLES, Field, Table

_DATE_HELP = "YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"


def _example(field: Field) -> str:
    if field.enum:
        return next(iter(field.enum))
    if field.type == DATE:
        return "2024-01-31" if field.name in ("recorded_on", "corrected_on") else "2023-03"
    if field.semantic is not None and field.semantic.example:
        return field.semantic.example
    if field.type == "number":
        return "1500000"
    return "..."


def _field_lines(table: Table) -> list[str]:
    lines = []
    first = True
    for field in table.columns:
        if field.derived or field.name.endswith("_date_precision"):
            continue
        if field.name in ("recorded_on",):
            continue  # given once in the case header
        need = "required" if field.required else "optional"
        help_text = field.description
        if field.type == DATE:
            help_text += f" Write {_DATE_HELP}."
        if field.enum:
            help_text += " One of: " + ", ".join(field.enum) + "."
        for note in textwrap.wrap(f"{need}: {help_text}", 90):
            lines.append(f"  #     # {note}")
        prefix = "  # - " if first else "  #   "
        lines.append(f"{prefix}{field.name}: {_example(field)}")
        first = False
    return lines


def yaml_string(text: str) -> str:
    """`text` as a double-quoted YAML scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def scaffold(title: str, today: dt.date) -> str:
    out = [
        f"# {title}".replace("\n", " "),
        "#",
        "# A saydo case file. Order: sources, companies, names, claims, evidence, links,",
        "# responses, corrections. Uncomment a record, fill it in, and run `saydo check`.",
        "# Never invent a fact, a date, an identifier or a quote: leave a field you cannot",
        "# source empty and say why in review_note, with review_status: needs_review.",
        "",
        "case:",
        f"  title: {yaml_string(title)}",
        "  summary: >-",
        "    One or two sentences: what the company said, and what is documented.",
        f"  recorded_on: {today.isoformat()}   # the day these records enter the package",
        "",
    ]
    for name in TABLE_ORDER:
        table = TABLES[name]
        out.append(f"# {table.description}")
        out.append(f"{AUTHORING[name].case_file_key}: []")
        out += _field_lines(table)
        out.append("")
    return "\n".join(out)
