"""The generated documentation, written by `saydo docs` and checked by the tests:

- `docs/data-dictionary.md`, from the registry and the declared views;
- the weights table of `docs/methodology.md`, from `schemas/method.py`;
- `docs/cases.md`, every case and feed with its sources and review statuses;
- the rules table of `docs/errors.md`, from the rules themselves;
- the samples in `docs/cookbook.md`, by running each recipe on the built package.

A generated part of a hand-written page sits between `<!-- name:start -->` and
`<!-- name:end -->`."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from schemas.method import WEIGHTS
from schemas.registry import (
    DERIVED_TABLES,
    FIELDS,
    HISTORY_FIELDS,
    TABLE_ORDER,
    TABLES,
    Field,
    Table,
)
from schemas.types import format_partial_date
from schemas.views import MACROS, VIEWS
from transforms.db import connect

DATE_PLACEHOLDER = "2000-01-01"


# --- Markdown -----------------------------------------------------------------------------------
def cell(value: object, width: int | None = None) -> str:
    """A value as the text of one Markdown table cell: one line, pipes escaped, cut at
    `width` characters with an ellipsis."""
    text = "" if value is None else str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def table(header: list[str], rows: list[list[object]], width: int | None = None) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v, width) for v in row) + " |" for row in rows]
    return lines


def _section_markers(marker: str) -> tuple[str, str]:
    return f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"


def fill_generated_section(text: str, marker: str, content: str) -> str:
    """Replace what stands between <!-- marker:start --> and <!-- marker:end -->."""
    start, end = _section_markers(marker)
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"


def generated_section(text: str, marker: str) -> str:
    """What stands between <!-- marker:start --> and <!-- marker:end -->."""
    start, end = _section_markers(marker)
    return text.split(start, 1)[1].split(end, 1)[0]


# --- the data dictionary ------------------------------------------------------------------------
def _column_row(c: Field) -> list[str]:
    text = c.description
    if c.enum:
        text += "<br>" + "<br>".join(f"`{value}`: {meaning}" for value, meaning in c.enum.items())
    if c.semantic is not None and not c.enum:
        text += f" Form: {c.semantic.name.replace('_', ' ')}"
        if len(c.semantic.pattern) < 60 and "\\S" not in c.semantic.pattern:
            text += f", `{c.semantic.pattern}`"
        text += "."
    return [f"`{c.name}`", c.type, "yes" if c.required else "", text]


def _table_dictionary(entry: Table) -> list[str]:
    out = [f"## `{entry.name}`", "", entry.description, ""]
    out.append(f"Primary key: `{', '.join(entry.primary_key)}`.")
    for fk in entry.foreign_keys:
        target = f"{fk.table}.{', '.join(fk.table_fields)}"
        out.append(f"`{', '.join(fk.fields)}` refers to `{target}`.")
    out.append("")
    out += table(
        ["column", "type", "required", "description"], [_column_row(c) for c in entry.columns]
    )
    out.append("")
    return out


def data_dictionary() -> str:
    """docs/data-dictionary.md."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `schemas/registry.py` and `schemas/views.py` by `saydo docs`; do not edit "
        "by hand. The same text is in the DuckDB file (`SELECT * FROM duckdb_columns()`), in the "
        "Parquet field metadata and in `datapackage.json`.",
        "",
    ]
    for name in TABLE_ORDER:
        out += _table_dictionary(TABLES[name])
    out += [
        "# History tables",
        "",
        "Each table except `corrections` has a `<table>_history` beside it (`claims_history`, "
        "`evidence_history`, ...) holding every version of every record: the table's columns, "
        "then these. Its primary key is the table's plus `version`.",
        "",
    ]
    out += table(
        ["column", "type", "required", "description"],
        [_column_row(FIELDS[n]) for n in HISTORY_FIELDS],
    )
    out += ["", "# Tables saydo writes itself", ""]
    for entry in DERIVED_TABLES.values():
        out += _table_dictionary(entry)
    out += [
        "# Scores, views and macros",
        "",
        "How the scores are computed is in [methodology.md](methodology.md).",
        "",
    ]
    for view in VIEWS.values():
        out += [f"## `{view.name}` (view)", "", view.description, ""]
        out += table(
            ["column", "type", "description"],
            [[f"`{c.name}`", c.type, _column_row(c)[3]] for c in view.columns],
        )
        out.append("")
    out += ["## Macros", ""]
    out += table(["macro", "what it returns"], [[f"`{n}`", t] for n, t in MACROS.items()])
    out.append("")
    return "\n".join(out)


def weights_table() -> str:
    """The Markdown table of every weight, for docs/methodology.md."""
    rows = [
        [
            f"`{w.factor}`",
            f"`{w.level}`",
            "empty (off)" if w.weight is None else f"{w.weight:g}",
            w.why,
        ]
        for w in WEIGHTS
    ]
    return "\n".join(table(["factor", "level", "weight", "why"], rows))


# --- docs/cases.md --------------------------------------------------------------------------------
_SCORED_TABLES = ("claims", "evidence", "claim_evidence", "responses")


def cases_markdown(datasets: Path) -> str:
    """Every case and feed: its file, summary, rows, review statuses and sources."""
    from transforms.ingest.read import read_datasets
    from transforms.store import FUNCTIONS_FILE, run_sql_files

    with tempfile.TemporaryDirectory(prefix="saydo-docs-") as folder:
        con = connect(Path(folder) / "work.duckdb")
        try:
            run_sql_files(con, (FUNCTIONS_FILE,))
            ingested = read_datasets(datasets, con, Path(folder))
            return _cases_text(con, ingested.cases)
        finally:
            con.close()


def _cases_text(con, cases: dict[str, dict]) -> str:
    out = [
        "# Cases",
        "",
        "Generated from `datasets/` by `saydo docs`; do not edit by hand. Review statuses say how "
        "far each row was checked: `verified` (read in the cited source in full), "
        "`partially_verified` (the source read only in part), `secondary_only` (read only in a "
        "secondary report or mirror), `needs_review` (a field could not be sourced; see the "
        "row's review_note).",
        "",
    ]
    found = {r[0] for r in con.execute("select distinct case_id from sources").fetchall()}
    for case_id in sorted(set(cases) | found):
        header = cases.get(case_id, {})
        title = header.get("title") or case_id
        where = header.get("file") or f"datasets/feeds/*/{case_id.removeprefix('feed:')}.*"
        out += [f"## {title}", "", f"`{where}`", ""]
        if header.get("summary"):
            out += [header["summary"], ""]
        counts = [
            (
                name,
                con.execute(f"select count(*) from {name} where case_id = ?", [case_id]).fetchall()[
                    0
                ][0],
            )
            for name in ("companies", "claims", "evidence", "claim_evidence", "responses")
        ]
        listed = ", ".join(f"{name} {n}" for name, n in counts if n)
        out += [f"Rows: {listed or 'sources only'}.", ""]
        for name in _SCORED_TABLES:
            statuses = (
                con.execute(
                    f"select review_status, count(*) from {name} where case_id = ? "
                    f"group by 1 order by 1",
                    [case_id],
                ).fetchall()
                if "review_status" in TABLES[name].fields
                else []
            )
            if statuses:
                out.append(f"- {name} review status: " + ", ".join(f"{s} {n}" for s, n in statuses))
        companies = [
            r[0]
            for r in con.execute(
                "select company_id from companies where case_id = ? order by company_id", [case_id]
            ).fetchall()
        ]
        if companies:
            out.append(f"- companies: {', '.join(f'`{c}`' for c in companies)}")
        out.append("")
        sources = con.execute(
            "select source_id, url, publisher, published_date, published_date_precision, "
            "source_type, review_status from sources where case_id = ? order by source_id",
            [case_id],
        ).fetchall()
        if sources:
            rows = [
                [
                    f"[`{sid}`]({url})" if url else f"`{sid}`",
                    publisher,
                    format_partial_date(date, precision) if date else None,
                    kind,
                    status,
                ]
                for sid, url, publisher, date, precision, kind, status in sources
            ]
            out += table(["source", "publisher", "published", "type", "review status"], rows)
            out.append("")
    return "\n".join(out)


# --- docs/errors.md ------------------------------------------------------------------------------
def rules_table() -> str:
    """Every cross-table rule with its message and fix, listed from the rules themselves."""
    import datetime as dt

    from validations.rules import rules

    grouped: dict[str, list] = defaultdict(list)
    for rule in rules(dt.date.fromisoformat(DATE_PLACEHOLDER)):
        grouped[rule.kind].append(rule)
    rows = []
    for kind, group in grouped.items():
        where = ", ".join(sorted({f"`{r.table}.{r.field}`" for r in group}))
        message = (
            group[0]
            .message.replace("{detail}", "…")
            .replace(DATE_PLACEHOLDER, "the date of the build")
        )
        rows.append([f"`{kind}`", where, message, group[0].hint.replace("|", "/")])
    return "\n".join(table(["rule", "applies to", "message", "fix"], rows))


# --- docs/cookbook.md ----------------------------------------------------------------------------
_RECIPE = re.compile(r"```sql\n(.*?)```.*?<!-- result-(\d+):start -->", re.S)
SAMPLE_ROWS = 6
CELL_WIDTH = 48


@dataclass(frozen=True)
class Recipe:
    number: str
    sql: str

    @property
    def writable(self) -> bool:
        return self.sql.lstrip().startswith("-- writable")


def recipes(text: str) -> list[Recipe]:
    return [Recipe(number, sql) for sql, number in _RECIPE.findall(text)]


def statements(sql: str) -> list[str]:
    """The statements of a SQL script, without those that are only comments."""
    return [
        s
        for s in sql.split(";")
        if s.strip()
        and not all(line.strip().startswith("--") or not line.strip() for line in s.splitlines())
    ]


def run_recipe(db: Path, recipe: Recipe) -> tuple[list[str], list[tuple]]:
    """The result of the recipe's last statement; writable recipes run on a copy."""
    with tempfile.TemporaryDirectory() as folder:
        target = db
        if recipe.writable:
            target = Path(folder) / "copy.duckdb"
            shutil.copyfile(db, target)
        con = connect(target, read_only=not recipe.writable)
        if recipe.writable:
            from transforms.exporters.query import make_live

            make_live(con)
        try:
            parts = statements(recipe.sql)
            for statement in parts[:-1]:
                con.execute(statement)
            cursor = con.execute(parts[-1])
            return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            con.close()


def sample(columns: list[str], rows: list[tuple]) -> str:
    lines = table(columns, [list(r) for r in rows[:SAMPLE_ROWS]], CELL_WIDTH)
    more = f" (first {SAMPLE_ROWS} shown)" if len(rows) > SAMPLE_ROWS else ""
    lines.append(f"\n{len(rows)} row{'s' if len(rows) != 1 else ''}{more}.")
    return "\n".join(lines)


def refresh_cookbook(text: str, db: Path) -> str:
    for recipe in recipes(text):
        columns, rows = run_recipe(db, recipe)
        text = fill_generated_section(text, f"result-{recipe.number}", sample(columns, rows))
    return text


def counts(db: Path) -> str:
    """The README's line on what the package holds."""
    con = connect(db, read_only=True)
    try:
        (companies, tested, claims, evidence, sources, cases) = con.execute(
            """select
                   (select count(*) from company_gap),
                   (select count(*) from company_gap where tested_claims > 0),
                   (select count(*) from claims where retracted_on is null),
                   (select count(*) from evidence where retracted_on is null),
                   (select count(*) from sources where retracted_on is null),
                   (select count(distinct case_id) from claims where case_id not like 'feed:%')"""
        ).fetchall()[0]
    finally:
        con.close()
    return (
        f"This release holds {companies} companies ({tested} with a tested claim), {claims} "
        f"claims and {evidence} pieces of evidence from {cases} case files and two public lists "
        f"(the FCC Covered List and the UFLPA Entity List), citing {sources} sources: "
        f"[docs/cases.md](docs/cases.md) lists every case."
    )


def write_docs(docs: Path, datasets: Path, db: Path) -> list[str]:
    """Regenerate every generated doc; returns what could not be refreshed."""
    skipped = []
    (docs / "data-dictionary.md").write_text(data_dictionary(), encoding="utf-8")
    methodology = docs / "methodology.md"
    methodology.write_text(
        fill_generated_section(methodology.read_text(encoding="utf-8"), "weights", weights_table()),
        encoding="utf-8",
    )
    (docs / "cases.md").write_text(cases_markdown(datasets), encoding="utf-8")
    errors = docs / "errors.md"
    errors.write_text(
        fill_generated_section(errors.read_text(encoding="utf-8"), "rules", rules_table()),
        encoding="utf-8",
    )
    if db.exists():
        cookbook = docs / "cookbook.md"
        cookbook.write_text(
            refresh_cookbook(cookbook.read_text(encoding="utf-8"), db), encoding="utf-8"
        )
        readme = docs.parent / "README.md"
        if readme.is_file():
            readme.write_text(
                fill_generated_section(readme.read_text(encoding="utf-8"), "counts", counts(db)),
                encoding="utf-8",
            )
    else:
        skipped.append(f"the cookbook's samples ({db} is missing: run `saydo build` first)")
    return skipped
