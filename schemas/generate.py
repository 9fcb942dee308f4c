"""Everything generated from the registry: pandera models, DuckDB DDL with comments, the Arrow
(Parquet) schema, Frictionless table schemas and the Markdown data dictionary.

Nothing here declares a column; it only translates `schemas.registry` into each system."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from schemas.registry import (
    BOOLEAN,
    DATE,
    FIELDS,
    HISTORY_FIELDS,
    INTEGER,
    NUMBER,
    STRING,
    TABLE_ORDER,
    TABLES,
    Field,
    Table,
)

POLARS_TYPES = {
    STRING: pl.String,
    DATE: pl.Date,
    BOOLEAN: pl.Boolean,
    INTEGER: pl.Int64,
    NUMBER: pl.Float64,
}
DUCKDB_TYPES = {
    STRING: "VARCHAR",
    DATE: "DATE",
    BOOLEAN: "BOOLEAN",
    INTEGER: "BIGINT",
    NUMBER: "DOUBLE",
}
ARROW_TYPES = {
    STRING: pa.string(),
    DATE: pa.date32(),
    BOOLEAN: pa.bool_(),
    INTEGER: pa.int64(),
    NUMBER: pa.float64(),
}
FRICTIONLESS_TYPES = {
    STRING: "string",
    DATE: "date",
    BOOLEAN: "boolean",
    INTEGER: "integer",
    NUMBER: "number",
}


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    return {c.name: POLARS_TYPES[c.type] for c in table.columns}


def pandera_schema(table: Table):
    """The pandera (polars) model of a table: types, nullability, enums, patterns, ranges and the
    primary key. Cross-table rules live in `validations/`."""
    import pandera.polars as pa_pl

    def checks(column: Field) -> list:
        found = []
        if column.enum:
            found.append(pa_pl.Check.isin(list(column.enum)))
        if column.pattern:
            found.append(pa_pl.Check.str_matches(column.pattern))
        if column.minimum is not None:
            found.append(pa_pl.Check.ge(column.minimum))
        if column.maximum is not None:
            found.append(pa_pl.Check.le(column.maximum))
        return found

    return pa_pl.DataFrameSchema(
        {
            c.name: pa_pl.Column(
                POLARS_TYPES[c.type],
                checks=checks(c),
                nullable=not c.required,
                description=c.description,
            )
            for c in table.columns
        },
        name=table.name,
        unique=list(table.primary_key),
        strict=True,
        ordered=True,
    )


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_ddl(table: Table) -> str:
    """CREATE TABLE with types, NOT NULL and allowed values, then COMMENT ON the table and every
    column, so `duckdb_columns()` is the data dictionary."""
    lines = []
    for c in table.columns:
        line = f"    {c.name} {DUCKDB_TYPES[c.type]}"
        if c.required:
            line += " NOT NULL"
        if c.enum:
            allowed = ", ".join(_sql_string(v) for v in c.enum)
            line += f" CHECK ({c.name} IN ({allowed}))"
        lines.append(line)
    # No PRIMARY KEY constraint: keys are proven unique at the door (pandera and the integrity
    # rules) before anything is written, and DuckDB's key index made loading 7x slower.
    statements = [f"CREATE TABLE {table.name} (\n" + ",\n".join(lines) + "\n);"]
    statements.append(f"COMMENT ON TABLE {table.name} IS {_sql_string(table.description)};")
    for c in table.columns:
        statements.append(
            f"COMMENT ON COLUMN {table.name}.{c.name} IS {_sql_string(column_comment(c))};"
        )
    return "\n".join(statements)


def column_comment(column: Field) -> str:
    comment = column.description
    if column.enum:
        comment += " One of: " + ", ".join(column.enum) + "."
    return comment


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema(
        [
            pa.field(
                c.name, ARROW_TYPES[c.type], nullable=True, metadata={"description": c.description}
            )
            for c in table.columns
        ],
        metadata={"description": table.description},
    )


def frictionless_schema(table: Table) -> dict:
    fields = []
    for c in table.columns:
        spec: dict = {
            "name": c.name,
            "type": FRICTIONLESS_TYPES[c.type],
            "description": c.description,
        }
        constraints: dict = {}
        if c.required:
            constraints["required"] = True
        if c.enum:
            constraints["enum"] = list(c.enum)
        if c.pattern:
            # Frictionless patterns are implicitly anchored (XML Schema style): drop our anchors.
            constraints["pattern"] = (
                c.pattern.removeprefix("(?s)").removeprefix("^").removesuffix("$")
            )
        if c.minimum is not None:
            constraints["minimum"] = c.minimum
        if c.maximum is not None:
            constraints["maximum"] = c.maximum
        if constraints:
            spec["constraints"] = constraints
        if c.type == NUMBER:
            # Frictionless reads an empty Parquet number as NaN; it is a missing value.
            spec["missingValues"] = ["", "nan"]
        fields.append(spec)
    return {
        "fields": fields,
        "primaryKey": list(table.primary_key),
        "foreignKeys": [
            {
                "fields": list(fk.fields),
                "reference": {
                    "resource": fk.table,
                    "fields": list(fk.table_fields),
                },
            }
            for fk in table.foreign_keys
        ],
    }


def data_dictionary() -> str:
    """docs/data-dictionary.md, generated. Regenerate with `saydo docs`."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `schemas/registry.py` by `saydo docs`; do not edit by hand. The same text "
        "is in the DuckDB file (`SELECT * FROM duckdb_columns()`), in the Parquet field metadata "
        "and in `datapackage.json`.",
        "",
    ]
    for name in TABLE_ORDER:
        table = TABLES[name]
        out += _table_dictionary(table)
    out += [
        "# History tables",
        "",
        "Each table except `corrections` has a `<table>_history` beside it (`claims_history`, "
        "`evidence_history`, ...) holding every version of every record: the table's columns, "
        "then these. Its primary key is the table's plus `version`.",
        "",
        "| column | type | required | description |",
        "|---|---|---|---|",
    ]
    out += [_column_row(FIELDS[name]) for name in HISTORY_FIELDS]
    out.append("")
    out += _method_dictionary()
    return "\n".join(out)


def _table_dictionary(table: Table) -> list[str]:
    out = [f"## `{table.name}`", "", table.description, ""]
    out.append(f"Primary key: `{', '.join(table.primary_key)}`.")
    for fk in table.foreign_keys:
        target = f"{fk.table}.{', '.join(fk.table_fields)}"
        out.append(f"`{', '.join(fk.fields)}` refers to `{target}`.")
    out += ["", "| column | type | required | description |", "|---|---|---|---|"]
    out += [_column_row(c) for c in table.columns]
    out.append("")
    return out


def _column_row(c: Field) -> str:
    text = c.description
    if c.enum_descriptions:
        text += "<br>" + "<br>".join(
            f"`{value}`: {meaning}" for value, meaning in c.enum_descriptions.items()
        )
    elif c.enum:
        text += " One of: " + ", ".join(f"`{v}`" for v in c.enum) + "."
    short_pattern = c.pattern and len(c.pattern) < 60 and "\\S" not in c.pattern
    if short_pattern and not c.enum:
        text += f" Pattern: `{c.pattern}`."
    required = "yes" if c.required else ""
    return f"| `{c.name}` | {c.type} | {required} | {_cell(text)} |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _method_dictionary() -> list[str]:
    from schemas.method import MACROS, SCORE_WEIGHTS_TABLE, VIEWS

    out = [
        "# Scores, views and macros",
        "",
        "How the scores are computed is in [methodology.md](methodology.md).",
        "",
    ]
    out += [
        "## `score_weights`",
        "",
        SCORE_WEIGHTS_TABLE["description"],
        "",
        "| column | description |",
        "|---|---|",
    ]
    out += [f"| `{name}` | {text} |" for name, text in SCORE_WEIGHTS_TABLE["columns"].items()]
    out.append("")
    for view, spec in VIEWS.items():
        out += [
            f"## `{view}` (view)",
            "",
            spec["description"],
            "",
            "| column | description |",
            "|---|---|",
        ]
        out += [f"| `{name}` | {_cell(text)} |" for name, text in spec["columns"].items()]
        out.append("")
    out += ["## Macros", "", "| macro | what it returns |", "|---|---|"]
    out += [f"| `{name}` | {text} |" for name, text in MACROS.items()]
    out.append("")
    return out


def _sql_value(value: object) -> str:
    return (
        "NULL" if value is None else _sql_string(value) if isinstance(value, str) else repr(value)
    )


def method_ddl() -> str:
    """score_weights with its default rows and comments, and score_method_version()."""
    from schemas.method import METHOD_VERSION, SCORE_WEIGHTS_TABLE, WEIGHTS

    rows = ",\n".join(
        f"    ({_sql_string(w.factor)}, {_sql_string(w.level)}, {_sql_value(w.weight)}, "
        f"{_sql_string(w.why)})"
        for w in WEIGHTS
    )
    statements = [
        "CREATE TABLE score_weights (\n    factor VARCHAR NOT NULL,\n"
        "    level VARCHAR NOT NULL,\n    weight DOUBLE,\n    description VARCHAR NOT NULL,\n"
        "    PRIMARY KEY (factor, level)\n);",
        f"INSERT INTO score_weights VALUES\n{rows};",
        f"COMMENT ON TABLE score_weights IS {_sql_string(SCORE_WEIGHTS_TABLE['description'])};",
        *(
            f"COMMENT ON COLUMN score_weights.{name} IS {_sql_string(text)};"
            for name, text in SCORE_WEIGHTS_TABLE["columns"].items()
        ),
        f"CREATE OR REPLACE MACRO score_method_version() AS {_sql_string(METHOD_VERSION)};",
    ]
    return "\n".join(statements)


def view_comments() -> str:
    """COMMENT ON every public view and each of its columns (run after the views exist)."""
    from schemas.method import VIEWS

    statements = []
    for view, spec in VIEWS.items():
        statements.append(f"COMMENT ON VIEW {view} IS {_sql_string(spec['description'])};")
        statements += [
            f"COMMENT ON COLUMN {view}.{column} IS {_sql_string(text)};"
            for column, text in spec["columns"].items()
        ]
    return "\n".join(statements)


def weights_table() -> str:
    """The Markdown table of every weight, for docs/methodology.md."""
    from schemas.method import WEIGHTS

    lines = ["| factor | level | weight | why |", "|---|---|---|---|"]
    for w in WEIGHTS:
        value = "empty (off)" if w.weight is None else f"{w.weight:g}"
        lines.append(f"| `{w.factor}` | `{w.level}` | {value} | {w.why} |")
    return "\n".join(lines)


def fill_generated_section(text: str, marker: str, content: str) -> str:
    """Replace what stands between <!-- marker:start --> and <!-- marker:end -->."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"
