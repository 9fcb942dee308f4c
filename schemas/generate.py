"""Everything generated from the registry: pandera models, DuckDB DDL with comments, the Arrow
(Parquet) schema and Frictionless table schemas, for tables and views alike.

Nothing here declares a column; it only translates `schemas.registry` and `schemas.views` into
each system. The data dictionary (Markdown) is written by `transforms.exporters.docs`."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from schemas.registry import Field, Table
from schemas.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING
from schemas.views import STRING_LIST, View

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa


# polars and pyarrow are imported when a type is first asked for, not with this module: `saydo
# query` reaches the registry through here and reads no frame (0.3 s of each query's start).
@cache
def polars_types() -> dict[str, pl.DataType]:
    import polars as pl

    return {
        STRING: pl.String,
        DATE: pl.Date,
        BOOLEAN: pl.Boolean,
        INTEGER: pl.Int64,
        NUMBER: pl.Float64,
        STRING_LIST: pl.List(pl.String),
    }


DUCKDB_TYPES = {
    STRING: "VARCHAR",
    DATE: "DATE",
    BOOLEAN: "BOOLEAN",
    INTEGER: "BIGINT",
    NUMBER: "DOUBLE",
    STRING_LIST: "VARCHAR[]",
}


@cache
def arrow_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    return {
        STRING: pa.string(),
        DATE: pa.date32(),
        BOOLEAN: pa.bool_(),
        INTEGER: pa.int64(),
        NUMBER: pa.float64(),
        STRING_LIST: pa.list_(pa.string()),
    }


FRICTIONLESS_TYPES = {
    STRING: "string",
    DATE: "date",
    BOOLEAN: "boolean",
    INTEGER: "integer",
    NUMBER: "number",
    # Frictionless' array type reads JSON text; a Parquet list column is read as "any".
    STRING_LIST: "any",
}


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    return {c.name: polars_types()[c.type] for c in table.columns}


def pandera_schema(table: Table):
    """The pandera (polars) model of a table: types, nullability, enums, patterns and ranges.
    Keys and cross-table rules are SQL (`validations.rules`), since they need every row at
    once and pandera sees one chunk of a feed at a time. Made once per table and process:
    pandera copies every column as it makes a model (7 ms a table, at every build), and
    validating never changes the model."""
    made = _PANDERA_SCHEMAS.get(id(table))
    if made is not None and made[0] is table:
        return made[1]
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

    schema = pa_pl.DataFrameSchema(
        {
            c.name: pa_pl.Column(
                polars_types()[c.type],
                checks=checks(c),
                nullable=not c.required,
                description=c.description,
            )
            for c in table.columns
        },
        name=table.name,
        strict=True,
        ordered=True,
    )
    _PANDERA_SCHEMAS[id(table)] = (table, schema)
    return schema


# id(table) -> (table, its model); the table is kept so that its id is never reused.
_PANDERA_SCHEMAS: dict[int, tuple] = {}


def record_id_sql(table: Table, alias: str = "") -> str:
    """A record's id as corrections.record_id writes it: its key values joined by '/'."""
    prefix = f"{alias}." if alias else ""
    return " || '/' || ".join(f"{prefix}{k}::varchar" for k in table.primary_key)


def sql_string(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def column_comment(column: Field) -> str:
    comment = column.description
    if column.enum:
        comment += " One of: " + ", ".join(column.enum) + "."
    return comment


def typed_columns_sql(columns: list[Field]) -> str:
    """The columns as a CREATE TABLE lists them, typed and nothing else (for the tables saydo
    keeps for itself: the work database, stored score views, changed versions)."""
    return ", ".join(f"{c.name} {DUCKDB_TYPES[c.type]}" for c in columns)


def duckdb_ddl(table: Table) -> str:
    """CREATE TABLE with types, NOT NULL and allowed values, then COMMENT ON the table and every
    column, so `duckdb_columns()` is the data dictionary."""
    lines = []
    for c in table.columns:
        line = f"    {c.name} {DUCKDB_TYPES[c.type]}"
        if c.required:
            line += " NOT NULL"
        if c.enum:
            allowed = ", ".join(sql_string(v) for v in c.enum)
            line += f" CHECK ({c.name} IN ({allowed}))"
        lines.append(line)
    # No PRIMARY KEY constraint: keys are proven unique at the door (the key rules) before
    # anything is written, and DuckDB's key index made loading 7x slower.
    statements = [f"CREATE TABLE {table.name} (\n" + ",\n".join(lines) + "\n);"]
    statements.append(comments_ddl("TABLE", table.name, table.description, table.columns))
    return "\n".join(statements)


def comments_ddl(kind: str, name: str, description: str, columns: list[Field]) -> str:
    """COMMENT ON a table or view and each of its columns."""
    statements = [f"COMMENT ON {kind} {name} IS {sql_string(description)};"]
    statements += [
        f"COMMENT ON COLUMN {name}.{c.name} IS {sql_string(column_comment(c))};" for c in columns
    ]
    return "\n".join(statements)


def arrow_type(c: Field) -> pa.DataType:
    """A column's Arrow type: allowed-value columns are dictionary-encoded, so pandas reads them
    as categoricals and polars as Categorical."""
    import pyarrow as pa

    if c.enum and c.type == STRING:
        return pa.dictionary(pa.int32(), pa.string())
    return arrow_types()[c.type]


def never_null(table: Table | View) -> set[str]:
    """Columns that can never be empty: the required ones and the key."""
    return {c.name for c in table.columns if c.required} | set(table.primary_key)


def arrow_schema(table: Table | View, metadata: dict[str, str] | None = None) -> pa.Schema:
    """The Parquet schema: types, non-nullable keys and required columns, each column's
    description in its field metadata; the table's description, key and `metadata` (the
    release's version, dates, method and licence) in the file's key-value metadata."""
    import pyarrow as pa

    required = never_null(table)
    return pa.schema(
        [
            pa.field(
                c.name,
                arrow_type(c),
                nullable=c.name not in required,
                metadata={"description": c.description},
            )
            for c in table.columns
        ],
        metadata={
            "description": table.description,
            "saydo.table": table.name,
            "saydo.primary_key": ",".join(table.primary_key),
            **(metadata or {}),
        },
    )


def frictionless_field(c: Field) -> dict:
    spec: dict = {"name": c.name, "type": FRICTIONLESS_TYPES[c.type], "description": c.description}
    constraints: dict = {}
    if c.required:
        constraints["required"] = True
    if c.enum:
        constraints["enum"] = list(c.enum)
    if c.pattern:
        if c.pattern.startswith("(?"):
            # frictionless reads no inline flag: the pattern would not mean there what it
            # means at the door.
            raise ValueError(f"{c.name}: write the pattern without an inline flag")
        # Frictionless patterns are implicitly anchored (XML Schema style): drop our anchors.
        constraints["pattern"] = c.pattern.removeprefix("^").removesuffix("$")
    if c.minimum is not None:
        constraints["minimum"] = c.minimum
    if c.maximum is not None:
        constraints["maximum"] = c.maximum
    if constraints:
        spec["constraints"] = constraints
    if c.type == NUMBER:
        # Frictionless reads an empty Parquet number as NaN; it is a missing value.
        spec["missingValues"] = ["", "nan"]
    return spec


def frictionless_schema(table: Table | View) -> dict:
    return {
        "fields": [frictionless_field(c) for c in table.columns],
        "primaryKey": list(table.primary_key),
        "foreignKeys": [
            {
                "fields": list(fk.fields),
                "reference": {"resource": fk.table, "fields": list(fk.table_fields)},
            }
            for fk in table.foreign_keys
        ],
    }
