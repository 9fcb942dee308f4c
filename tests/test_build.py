"""End to end: build into a temporary folder, then read the DuckDB file and the Parquet files
with independent readers and get the same rows; and the registry agrees with every artefact."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from schemas.generate import (
    DUCKDB_TYPES,
    arrow_schema,
    column_comment,
    data_dictionary,
    fill_generated_section,
    frictionless_schema,
    pandera_schema,
    weights_table,
)
from schemas.method import MACROS, SCORE_WEIGHTS_TABLE, VIEWS
from schemas.registry import PUBLISHED_ORDER, PUBLISHED_TABLES, TABLES
from tests.conftest import REPO, TODAY
from transforms.build import build


def test_duckdb_and_parquet_hold_the_same_rows(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"), read_only=True)
    for name in PUBLISHED_ORDER:
        keys = ", ".join(PUBLISHED_TABLES[name].primary_key)
        from_duckdb = con.execute(f"select * from {name} order by {keys}").fetchall()
        from_parquet = pq.read_table(built / "parquet" / f"{name}.parquet").to_pylist()
        assert [tuple(r.values()) for r in from_parquet] == from_duckdb, name
    assert con.execute("select count(*) from claims").fetchall() == [(2,)]
    con.close()


def test_built_values_match_the_case_file(built: Path) -> None:
    rows = pq.read_table(built / "parquet" / "claims.parquet").to_pylist()
    arabic = next(r for r in rows if r["claim_id"] == "acme-arabic")
    assert arabic["quote"] == "نحن نحترم حقوق الإنسان"
    assert arabic["claim_date"] == dt.date(2023, 1, 1)
    assert arabic["claim_date_precision"] == "year"
    links = pq.read_table(built / "parquet" / "claim_evidence.parquet").to_pylist()
    assert [(r["claim_id"], r["evidence_id"], r["relation"]) for r in links] == [
        ("acme-denial", "acme-files", "refutes")
    ]


def test_every_column_has_its_registry_comment(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"), read_only=True)
    rows = con.execute(
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where not internal and table_name in (select table_name from duckdb_tables())"
    ).fetchall()
    found = {(t, c): (ty, comment) for t, c, ty, comment in rows}
    expected = {
        (t.name, c.name): (DUCKDB_TYPES[c.type], column_comment(c))
        for t in PUBLISHED_TABLES.values()
        for c in t.columns
    }
    expected |= {
        ("score_weights", name): (type_, SCORE_WEIGHTS_TABLE["columns"][name])
        for name, type_ in [
            ("factor", "VARCHAR"),
            ("level", "VARCHAR"),
            ("weight", "DOUBLE"),
            ("description", "VARCHAR"),
        ]
    }
    assert found == expected
    table_comments = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
    assert table_comments == {t.name: t.description for t in PUBLISHED_TABLES.values()} | {
        "score_weights": SCORE_WEIGHTS_TABLE["description"]
    }


def test_every_view_column_is_declared_and_commented(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"), read_only=True)
    for view, spec in VIEWS.items():
        rows = con.execute(
            "select column_name, comment from duckdb_columns() where table_name = ? "
            "order by column_index",
            [view],
        ).fetchall()
        assert rows == list(spec["columns"].items()), view
        (comment,) = con.execute(
            "select comment from duckdb_views() where view_name = ?", [view]
        ).fetchall()[0]
        assert comment == spec["description"]
    names = {
        r[0]
        for r in con.execute(
            "select function_name from duckdb_functions() where not internal"
        ).fetchall()
    }
    assert set(MACROS) <= names


def test_parquet_schema_is_the_registry_schema(built: Path) -> None:
    for name in PUBLISHED_ORDER:
        written = pq.read_schema(built / "parquet" / f"{name}.parquet")
        expected = arrow_schema(PUBLISHED_TABLES[name])
        assert written.names == expected.names
        assert written.types == expected.types
        for field in written:
            assert (
                field.metadata[b"description"]
                == expected.field(field.name).metadata[b"description"]
            )
        assert (
            pq.read_metadata(built / "parquet" / f"{name}.parquet")
            .row_group(0)
            .column(0)
            .compression
            == "ZSTD"
        )


def test_pandera_and_frictionless_follow_the_registry() -> None:
    for table in TABLES.values():
        model = pandera_schema(table)
        assert list(model.columns) == list(table.fields)
        assert {n for n, c in model.columns.items() if not c.nullable} == {
            c.name for c in table.columns if c.required
        }
        spec = frictionless_schema(table)
        assert [f["name"] for f in spec["fields"]] == list(table.fields)
        assert spec["primaryKey"] == list(table.primary_key)
        enums = {
            f["name"]: f["constraints"]["enum"]
            for f in spec["fields"]
            if "enum" in f.get("constraints", {})
        }
        assert enums == {c.name: list(c.enum) for c in table.columns if c.enum}


def test_generated_docs_are_current() -> None:
    committed = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "run `saydo docs` to regenerate the dictionary"
    methodology = (REPO / "docs" / "methodology.md").read_text(encoding="utf-8")
    regenerated = fill_generated_section(methodology, "weights", weights_table())
    assert regenerated == methodology, "run `saydo docs` to regenerate the weights table"


def test_rows_are_in_stable_order_and_builds_are_byte_identical(
    tmp_path: Path, datasets: Path
) -> None:
    digests = []
    for run in ("one", "two"):
        out = tmp_path / run
        build(datasets, out, today=TODAY, gate=False)
        digests.append(
            {
                p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((out / "parquet").glob("*.parquet"))
            }
        )
    assert digests[0] == digests[1]


def test_second_build_waits_for_none_and_fails_clearly(tmp_path: Path, datasets: Path) -> None:
    from transforms.publish import BuildLocked, build_lock

    out = tmp_path / "dist"
    with build_lock(out), pytest.raises(BuildLocked, match="another saydo build"):
        build(datasets, out, today=TODAY)
    assert not out.exists()


@pytest.mark.slow
def test_real_datasets_build_as_a_release(tmp_path: Path) -> None:
    """The committed case files build with today's date as today, through the release gate,
    against the committed manifests."""
    result = build(REPO / "datasets", tmp_path / "dist")
    assert (tmp_path / "dist" / "validation" / "release-checks.json").exists()
    assert result.row_counts["claims"] >= 6
    listing = json.dumps(result.summary)
    assert "claims with refuting evidence" in listing
