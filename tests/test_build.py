"""End to end: build into a temporary folder, then read the DuckDB file and the Parquet files
with independent readers and get the same rows; and the registry agrees with every artefact,
checked against the registry's own declarations rather than against the generators' output."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.generate import frictionless_schema, pandera_schema
from schemas.registry import (
    DERIVED_TABLES,
    FIELDS,
    HISTORY_TABLES,
    PUBLISHED_ORDER,
    PUBLISHED_TABLES,
    TABLES,
    release_file,
)
from schemas.types import NUMBER
from schemas.views import MACROS, VIEWS, declared_order
from tests.conftest import REPO, TODAY, minimal_case, snapshot, write_case
from transforms.build import _cited_sources, build, is_synthetic
from transforms.exporters.docs import data_dictionary, fill_generated_section, weights_table
from transforms.release.package import (
    ReleaseFolderAltered,
    datapackage,
    normalize_duckdb_file,
    verify_release_folder,
)

# The registry's logical types as the independent readers name them.
DUCKDB_NAMES = {
    "string": "VARCHAR",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "list<string>": "VARCHAR[]",
}
ARROW_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "list<string>": pa.list_(pa.string()),
}


def test_duckdb_and_parquet_hold_the_same_rows(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"), read_only=True)
    for name in PUBLISHED_ORDER:
        keys = ", ".join(PUBLISHED_TABLES[name].primary_key)
        from_duckdb = con.execute(f"select * from {name} order by {keys}").fetchall()
        from_parquet = pq.read_table(built / release_file(name, "parquet")).to_pylist()
        assert [tuple(r.values()) for r in from_parquet] == from_duckdb, name
    assert con.execute("select count(*) from claims").fetchall() == [(2,)]
    # One version per record in this case: a history row per record, version 1.
    assert con.execute(
        "select count(*), min(version), max(version) from claims_history"
    ).fetchall() == [(2, 1, 1)]
    con.close()


def test_built_values_match_the_case_file(built: Path) -> None:
    rows = pq.read_table(built / "parquet" / "claims.parquet").to_pylist()
    arabic = next(r for r in rows if r["claim_id"] == "acme-arabic")
    assert arabic["quote"] == "نحن نحترم حقوق الإنسان"
    assert arabic["claim_date"] == dt.date(2023, 1, 1)
    assert arabic["claim_date_precision"] == "year"
    assert arabic["case_id"] == "acme" and arabic["recorded_on"] == dt.date(2024, 1, 10)
    links = pq.read_table(built / "parquet" / "claim_evidence.parquet").to_pylist()
    assert [(r["claim_id"], r["evidence_id"], r["relation"]) for r in links] == [
        ("acme-denial", "acme-files", "refutes")
    ]


def test_every_column_is_typed_and_commented_as_the_registry_declares(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"), read_only=True)
    found = {
        (t, c): (ty, comment)
        for t, c, ty, comment in con.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns() "
            "where not internal and schema_name = 'main'"
        ).fetchall()
    }
    for table in PUBLISHED_TABLES.values():
        for column in table.columns:
            type_, comment = found.pop((table.name, column.name))
            assert type_ == DUCKDB_NAMES[column.type], (table.name, column.name)
            declared = FIELDS[column.name]
            assert comment.startswith(declared.description), (table.name, column.name)
            for value in column.enum or ():
                assert value in comment, (table.name, column.name, value)
    for view in VIEWS.values():
        for column in view.columns:
            type_, comment = found.pop((view.name, column.name))
            assert type_ == DUCKDB_NAMES[column.type], (view.name, column.name)
            assert comment.startswith(column.description), (view.name, column.name)
    assert found == {}, f"columns with no declaration: {sorted(found)}"
    constrained: dict[str, set[tuple[str, str]]] = {"CHECK": set(), "NOT NULL": set()}
    for kind, t, (c,) in con.execute(
        "select constraint_type, table_name, constraint_column_names from duckdb_constraints() "
        "where schema_name = 'main' and constraint_type in ('CHECK', 'NOT NULL')"
    ).fetchall():
        constrained[kind].add((t, c))

    def declared(keeps) -> set[tuple[str, str]]:
        return {
            (table.name, column.name)
            for table in (*TABLES.values(), *DERIVED_TABLES.values())
            for column in table.columns
            if keeps(column)
        }

    # Allowed values are kept by DuckDB too: a --what-if UPDATE cannot set topic = 'weather'.
    assert constrained["CHECK"] == declared(lambda column: column.enum)
    # And required columns are NOT NULL: claims.claim_id and summary are, quote is not.
    not_null = constrained["NOT NULL"]
    assert {("claims", "claim_id"), ("claims", "summary")} <= not_null
    assert ("claims", "quote") not in not_null
    assert not_null == declared(lambda column: column.required)
    tables = dict(
        con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'main'"
        ).fetchall()
    )
    views = dict(
        con.execute("select view_name, comment from duckdb_views() where not internal").fetchall()
    )
    assert tables == {t.name: t.description for t in TABLES.values()} | {
        t.name: t.description for t in DERIVED_TABLES.values()
    }
    assert views == {v.name: v.description for v in VIEWS.values()} | {
        h.name: h.description for h in HISTORY_TABLES.values()
    }
    functions = {
        r[0]
        for r in con.execute(
            "select function_name from duckdb_functions() where not internal"
        ).fetchall()
    }
    assert set(MACROS) <= functions
    con.close()


def test_parquet_schema_is_the_registry_schema(built: Path) -> None:
    """Every file's columns, types (allowed-value columns dictionary-encoded), nullability
    (keys and required columns never empty) and descriptions come from the declarations, and
    the file says which release, data date, method and weights made it."""
    for name in [*PUBLISHED_ORDER, *VIEWS]:
        entry = VIEWS[name] if name in VIEWS else PUBLISHED_TABLES[name]
        written = pq.read_schema(built / release_file(name, "parquet"))
        assert written.names == [c.name for c in entry.columns], name
        required = {c.name for c in entry.columns if c.required} | set(entry.primary_key)
        for field, column in zip(written, entry.columns, strict=True):
            expected = (
                pa.dictionary(pa.int32(), pa.string())
                if column.enum and column.type == "string"
                else ARROW_TYPES[column.type]
            )
            assert field.type == expected, (name, column.name)
            assert field.nullable == (column.name not in required), (name, column.name)
            assert field.metadata[b"description"].decode() == column.description, (
                name,
                column.name,
            )
        stamp = {k.decode(): v.decode() for k, v in written.metadata.items()}
        assert stamp["saydo.table"] == name
        assert stamp["saydo.primary_key"] == ",".join(entry.primary_key) and entry.primary_key
        assert stamp["saydo.version"] == "1.0.0" and stamp["saydo.method_version"] == "2.1"
        assert stamp["saydo.data_date"] == "2024-01-10" and stamp["saydo.licence"] == "CC-BY-4.0"
        assert len(stamp["saydo.weights_fingerprint"]) == 32
        metadata = pq.read_metadata(built / release_file(name, "parquet"))
        assert metadata.row_group(0).column(0).compression == "ZSTD"


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
        # Frictionless reads an empty Parquet number as NaN: for numbers, NaN means missing.
        missing = {f["name"]: f.get("missingValues") for f in spec["fields"]}
        assert missing == {c.name: ["", "nan"] if c.type == NUMBER else None for c in table.columns}
    amount = next(
        f for f in frictionless_schema(TABLES["evidence"])["fields"] if f["name"] == "amount"
    )
    assert amount["missingValues"] == ["", "nan"]  # evidence.amount, a number


def test_datapackage_describes_every_shipped_file(built: Path) -> None:
    package = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    shipped = {str(p.relative_to(built)) for p in built.glob("*/*.parquet")}
    assert paths == shipped - {"validation/release-checks.parquet"}
    assert package["created"] == "2024-01-10T00:00:00Z"  # the data date: rebuilds are identical
    for resource in package["resources"]:
        for described in (resource, resource["saydo:jsonl"]):
            target = built / described["path"]
            assert described["saydo:bytes"] == target.stat().st_size, described["path"]
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            assert described["hash"] == f"sha256:{digest}", described["path"]
    claims = next(r for r in package["resources"] if r["name"] == "claims")
    topic = next(f for f in claims["schema"]["fields"] if f["name"] == "topic")
    assert topic["constraints"]["enum"] == list(FIELDS["topic"].enum)
    # Text's pattern, ^[\s\S]*\S[\s\S]*$, as frictionless reads patterns: anchored by
    # frictionless itself, so without ^ and $. Read as frictionless reads it (Python's re,
    # anchored, no flags), it passes text on two lines and refuses lines of spaces.
    summary = next(f for f in claims["schema"]["fields"] if f["name"] == "summary")
    assert summary["constraints"]["pattern"] == r"[\s\S]*\S[\s\S]*"
    as_frictionless = re.compile(f"^{summary['constraints']['pattern']}$")
    assert as_frictionless.match("Acme denied it.\nIn two lines.")
    assert not as_frictionless.match("  \n \t")
    claim_gap = next(r for r in package["resources"] if r["name"] == "claim-gap")
    assert claim_gap["schema"]["primaryKey"] == ["claim_id"]
    assert {
        "fields": ["claim_id"],
        "reference": {"resource": "claims", "fields": ["claim_id"]},
    } in (claim_gap["schema"]["foreignKeys"])
    # Sources are shipped (the sources table) or are the addresses of what the records cite.
    sources = package["sources"]
    assert sources[0]["path"] == "parquet/sources.parquet"
    assert all(s["path"].startswith("https://") for s in sources[1:])


def test_generated_docs_are_current() -> None:
    committed = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "run `saydo docs` to regenerate the dictionary"
    methodology = (REPO / "docs" / "methodology.md").read_text(encoding="utf-8")
    regenerated = fill_generated_section(methodology, "weights", weights_table())
    assert regenerated == methodology, "run `saydo docs` to regenerate the weights table"


def test_every_file_of_two_builds_is_byte_identical(tmp_path: Path, datasets: Path) -> None:
    """Every file, the DuckDB file and the manifest included, hashed. A hundred and twenty
    more claims with distinct wording: with that much text DuckDB's FSST string compression,
    which samples at random, made two builds of the same rows differ in 10 tries of 10 (with
    forty claims, in 7 of 8)."""
    case = minimal_case()
    for number in range(120):
        claim = dict(case["claims"][0], claim_id=f"acme-denial-{number}")
        claim["quote"] = (
            f"We never did thing number {number} in the province, said the spokesperson "
            f"{number * 7}."
        )
        claim["summary"] = f"Acme denied thing {number}."
        case["claims"].append(claim)
    write_case(datasets, case)
    digests = []
    for run in ("one", "two"):
        out = tmp_path / run
        build(datasets, out, today=TODAY, gate=False)
        digests.append(snapshot(out))
    assert set(digests[0]) >= {"saydo.duckdb", "manifest.parquet", "parquet/claims.parquet"}
    assert digests[0] == digests[1]


def test_the_empty_package_a_build_copies_is_the_one_its_statements_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build starts from a copy of the empty package (tables, views, macros, comments, held
    in DuckDB's log), laid out once per process and kept in .saydo-cache/. Two builds in one
    process share it, so the byte-identity test above cannot see randomness in it: this lays
    it out twice, then shows when a kept copy is used, and every time it must not be."""
    from transforms import store

    def package(folder: str, name: str = "saydo.duckdb") -> Path:
        (tmp_path / folder).mkdir()
        return tmp_path / folder / name

    statements = store.package_schema_sql()
    fresh = store.empty_package(package("one"), statements)
    laid_out = duckdb.connect(str(tmp_path / "one" / "saydo.duckdb"), read_only=True)
    assert laid_out.execute("select count(*) from claims").fetchall() == [(0,)]
    views = laid_out.execute("select count(*) from duckdb_views() where not internal")
    assert views.fetchall()[0][0] >= len(VIEWS)
    laid_out.close()

    # Laid out a second time, as a build in a new process does (nothing in memory, nothing
    # kept yet): the same bytes, then kept.
    cache = tmp_path / ".saydo-cache"
    assert not cache.exists()
    monkeypatch.setattr(store, "_LAID_OUT", {})
    store.lay_out_package(package("first"), cache)
    assert store.Layout.read(tmp_path / "first" / "saydo.duckdb") == fresh
    assert len(list(cache.glob("package-*.sha256"))) == 1

    # Which copy a build starts from does not hang on what the statements say: from here on
    # the package is laid out by its first three statements (each case below that must lay it
    # out afresh then takes a twentieth of a second, not the 0.4 s of all of them).
    few = statements[:3]
    monkeypatch.setattr(store, "package_schema_sql", lambda: few)
    fresh = store.empty_package(package("few"), few)
    monkeypatch.setattr(store, "_LAID_OUT", {})
    store.lay_out_package(package("first-few"), cache)
    assert store.Layout.read(tmp_path / "first-few" / "saydo.duckdb") == fresh
    # Kept in place of the copy of the other statements.
    (digest,) = cache.glob("package-*.sha256")
    fingerprint = digest.name.removeprefix("package-").removesuffix(".sha256")
    stand_in = store.Layout(b"a stand-in", b"to see which layout a build copies")

    def lay_out(folder: str, tamper=lambda: None, name: str = "saydo.duckdb", kept=cache):
        """Lay out in a new process's place (nothing in memory), the stand-in kept in cache."""
        store._keep_layout(cache, fingerprint, stand_in)
        tamper()
        monkeypatch.setattr(store, "_LAID_OUT", {})
        path = package(folder, name)
        store.lay_out_package(path, kept)
        return store.Layout.read(path)

    # A kept copy whose digest matches is copied ...
    assert lay_out("cached") == stand_in
    # ... but not by a release (no cache), nor when it was damaged or is a link,
    kept = cache / f"package-{fingerprint}.duckdb"

    def damage() -> None:
        kept.write_bytes(b"damaged")

    def link() -> None:
        (tmp_path / "elsewhere").write_bytes(stand_in.database)
        kept.unlink()
        kept.symlink_to(tmp_path / "elsewhere")

    assert lay_out("release", kept=None) == fresh
    assert lay_out("damaged", damage) == fresh
    assert lay_out("linked", link) == fresh
    # ... nor for another file name, storage format or statement.
    assert lay_out("named", name="other.duckdb") != stand_in
    storage_version = store.PACKAGE_STORAGE_VERSION
    monkeypatch.setattr(store, "PACKAGE_STORAGE_VERSION", "v1.2.0")
    assert lay_out("newer") != stand_in
    monkeypatch.setattr(store, "PACKAGE_STORAGE_VERSION", storage_version)
    monkeypatch.setattr(store, "package_schema_sql", lambda: [*few, "create table more (x int);"])
    assert lay_out("changed") != stand_in
    monkeypatch.setattr(store, "package_schema_sql", lambda: few)
    # ... nor under another DuckDB (its file may hold other bytes for the same statements), nor
    # once the code that runs the statements has changed (here a comment added to store.py).
    with monkeypatch.context() as other_duckdb:
        other_duckdb.setattr(store.duckdb, "__version__", "0.0.0-other")
        assert lay_out("other-duckdb") != stand_in
    edited = tmp_path / "store.py"
    edited.write_bytes(Path(store.__file__).read_bytes() + b"# edited\n")
    with monkeypatch.context() as other_code:
        other_code.setattr(store, "_LAYOUT_CODE", (edited, *store._LAYOUT_CODE[1:]))
        assert lay_out("other-code") != stand_in
    # A release after a plain build in one process never starts from the cache's copy.
    monkeypatch.setattr(store, "package_schema_sql", lambda: few)
    assert lay_out("plain") == stand_in
    release = package("release-after")
    store.lay_out_package(release, None)
    assert store.Layout.read(release) == fresh


def test_second_build_waits_for_none_and_fails_clearly(tmp_path: Path, datasets: Path) -> None:
    from transforms.publish import BuildLocked, build_lock

    out = tmp_path / "dist"
    with build_lock(out), pytest.raises(BuildLocked, match="another saydo build"):
        build(datasets, out, today=TODAY)
    assert not out.exists()


@pytest.mark.slow
def test_real_datasets_build_as_a_release(tmp_path: Path) -> None:
    """The committed case files build with today's date as today, through the release gate,
    against the committed release records."""
    result = build(REPO / "datasets", tmp_path / "dist")
    assert (tmp_path / "dist" / "validation" / "release-checks.json").exists()
    assert result.row_counts["claims"] >= 6
    assert "claims with refuting evidence" in json.dumps(result.summary)


def test_every_file_is_in_its_declared_order(real_release: Path) -> None:
    """Record tables by their key, views by their declared order: what a reader slicing the
    Parquet by row group relies on. The record tables and the score views are written as they
    are stored, without a sort, so this also checks they were stored in that order."""
    con = duckdb.connect()
    names = [*PUBLISHED_ORDER, *VIEWS]
    for name in names:
        order = declared_order(name)
        path = real_release / release_file(name, "parquet")
        rows, misplaced = con.execute(
            f"""select count(*), count(*) filter (where stored_at != sorted_at) from (
                    select stored_at, row_number() over (order by {", ".join(order)}, stored_at)
                           as sorted_at
                    from (select *, row_number() over () as stored_at from read_parquet(?)))""",
            [str(path)],
        ).fetchall()[0]
        assert misplaced == 0, f"{name}: {misplaced} of {rows} rows out of order"
    # The real package has rows in every file that matters here.
    sizes = {
        name: pq.ParquetFile(real_release / release_file(name, "parquet")).metadata.num_rows
        for name in ("claims", "claim_evidence", "link_scores", "timeline", "claim_gap")
    }
    assert min(sizes.values()) > 50, sizes


def test_views_stored_a_slice_of_companies_at_a_time_equal_the_whole(
    tmp_path: Path, real_release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large package is scored in slices of companies (DuckDB cannot spill the per-claim
    lists); the stored views must hold exactly the rows, in the order, of one pass. The real
    package was scored in one pass: a copy of it, its stored rows emptied, is scored again by
    the build's score stage a slice at a time, and every stored table, and every file they
    feed, must come out the same."""
    from transforms import store
    from transforms.release.package import DATA_LICENCE

    # At most 24 claims a slice of the real package's 93 (four or five slices): a slice's edge
    # must part a subsidiary that has claims from its parent, whose group figures count them
    # (JBS USA from JBS, Temu from PDD Holdings; checked below).
    monkeypatch.setattr(store, "CLAIMS_PER_SLICE", 24)
    seen: list[list[str] | None] = []
    slices_of = store.company_slices
    monkeypatch.setattr(
        store,
        "company_slices",
        lambda con, size: seen.extend(found := slices_of(con, size)) or found,
    )
    stored = [
        "internal.company_keys",
        "internal.stored_scores",
        *(f"internal.{view}_stored" for view in store.STORED_VIEWS),
    ]
    shutil.copyfile(real_release / "saydo.duckdb", tmp_path / "saydo.duckdb")
    con = store.open_package(tmp_path / "saydo.duckdb")
    try:
        for table in stored:
            con.execute(f"delete from {table}")
        store.score(con)
        manifest = json.loads((real_release / "manifest.json").read_text(encoding="utf-8"))
        metadata = store.release_metadata(
            con, manifest["version"], manifest["data_date"], DATA_LICENCE
        )
        (tmp_path / "sliced").mkdir()
        store.write_table_files(con, tmp_path / "sliced", store.STORED_VIEWS, metadata)
        con.execute(f"attach '{real_release / 'saydo.duckdb'}' as whole (read_only)")
        for table in stored:
            rows = con.execute(f"select * from {table}").fetchall()
            assert rows, table
            whole = con.execute(f"select * from whole.{table}").fetchall()
            assert rows == whole, table
    finally:
        con.close()
    assert len(seen) >= 3 and None not in seen
    slice_of = {company: number for number, companies in enumerate(seen) for company in companies}
    claimed = set(
        pq.read_table(real_release / "parquet" / "claims.parquet")["company_id"].to_pylist()
    )
    companies = pq.read_table(real_release / "parquet" / "companies.parquet").to_pylist()
    parted = [
        c["company_id"]
        for c in companies
        if c["parent_company_id"]
        and c["company_id"] in claimed
        and slice_of[c["company_id"]] != slice_of[c["parent_company_id"]]
    ]
    assert parted, "no slice parts a group's claims: the test would not see a slice's edge"
    for view in store.STORED_VIEWS:
        for kind in ("parquet", "jsonl"):
            whole = real_release / release_file(view, kind)
            sliced = tmp_path / "sliced" / release_file(view, kind)
            assert sliced.read_bytes() == whole.read_bytes(), (view, kind)


def test_sha256sums_vouches_for_every_file_in_every_folder_of_the_release(built: Path) -> None:
    listed = [line.split("  ", 1)[1] for line in (built / "SHA256SUMS").read_text().splitlines()]
    shipped = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    # Every file but SHA256SUMS itself, in sorted order, the subfolders' files included.
    assert listed == [name for name in shipped if name != "SHA256SUMS"]
    assert {"saydo.duckdb", "parquet/claims.parquet", "jsonl/claims.jsonl.gz"} <= set(listed)
    # So a Parquet file edited after the build is not read as the release.
    verify_release_folder(built)
    with open(built / "parquet" / "claims.parquet", "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00edited")
    with pytest.raises(ReleaseFolderAltered, match=r"claims\.parquet does not match"):
        verify_release_folder(built)


def test_the_duckdb_files_random_identifier_is_zeroed_and_the_file_still_opens(
    tmp_path: Path,
) -> None:
    # A laid-out package is reused within a process and from .saydo-cache/, so two builds
    # share one identifier; `saydo release` lays out afresh and relies on this.
    path = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select 42 as answer")
    con.close()
    # DuckDB 2.0.1 writes 16 random bytes at offset 124 of the main header.
    assert path.read_bytes()[124:140] != bytes(16)
    assert normalize_duckdb_file(path)
    assert path.read_bytes()[124:140] == bytes(16)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select answer from t").fetchall() == [(42,)]
    con.close()


def test_the_data_package_cites_sources_with_an_address_and_their_terms(
    minimal_release: Path,
) -> None:
    cited = [
        # Known only by its archived copy: cited at that address.
        {"publisher": "Gone News", "title": None, "url": None, "archived_url": "https://a.example/1",
         "rights": "open_licence", "licence": "CC-BY-4.0"},
        # No address at all: only in parquet/sources.parquet.
        {"publisher": "Acme", "title": "Report", "url": None, "archived_url": None,
         "rights": None, "licence": None},
        {"publisher": "Example News", "title": "Files", "url": "https://e.example/2",
         "archived_url": "https://a.example/2", "rights": "all_rights_reserved", "licence": None},
    ]  # fmt: skip
    package = datapackage(minimal_release, "1.0.0", dt.date(2024, 1, 10), "1", cited)
    assert package["sources"][1:] == [
        {
            "title": "Gone News",
            "path": "https://a.example/1",
            "rights": "open_licence",
            "licence": "CC-BY-4.0",
        },
        {
            "title": "Example News: Files",
            "path": "https://e.example/2",
            "rights": "all_rights_reserved",
        },
    ]


def test_the_data_package_cites_no_retracted_source() -> None:
    con = duckdb.connect()
    con.execute(
        "create table sources as select * from (values "
        "('src-b', 'Example News', null, 'https://e.example/b', null, null, null, null), "
        "('src-a', 'Gone News', 'Forged', 'https://e.example/a', null, null, null, "
        "date '2024-02-01')) "
        "as t(source_id, publisher, title, url, archived_url, rights, licence, retracted_on)"
    )
    # src-a was retracted: only src-b is cited, with the columns datapackage() reads.
    assert _cited_sources(con) == [
        {
            "publisher": "Example News",
            "title": None,
            "url": "https://e.example/b",
            "archived_url": None,
            "rights": None,
            "licence": None,
        }
    ]
    con.close()


def test_a_synthetic_claim_or_a_synthetic_source_makes_the_input_synthetic() -> None:
    con = duckdb.connect()
    con.execute("create table claims (is_synthetic boolean)")
    con.execute("create table sources (is_synthetic boolean)")
    assert not is_synthetic(con)  # empty tables
    con.execute("insert into claims values (false), (null)")
    con.execute("insert into sources values (false)")
    assert not is_synthetic(con)
    con.execute("insert into sources values (true)")  # a synthetic source among real ones
    assert is_synthetic(con)
    con.execute("delete from sources")
    con.execute("insert into claims values (true)")
    assert is_synthetic(con)
    con.close()
