"""Writing the package: the DuckDB file with its tables, history, weights, views and comments,
then the Parquet files, all from the work database and without a round trip through Python.

Tables are stored in primary-key order, so two builds of the same data give the same bytes and
a reader of one Parquet file can skip to a slice of ids by the row groups' statistics."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from schemas.generate import (
    arrow_schema,
    comments_ddl,
    duckdb_ddl,
    sql_string,
    typed_columns_sql,
)
from schemas.method import METHOD_VERSION, WEIGHTS
from schemas.registry import (
    DERIVED_TABLES,
    HISTORY_TABLES,
    PUBLISHED_ORDER,
    PUBLISHED_TABLES,
    TABLES,
    release_file,
)
from schemas.views import VIEWS, declared_order
from transforms.cache import keep
from transforms.db import PACKAGE_STORAGE_VERSION, connect, transaction
from transforms.history import fill_history, fill_released_review, history_ddl

if TYPE_CHECKING:
    import pyarrow as pa

SQL_DIR = Path(__file__).parent / "sql"
# A quarter of a million rows a row group: finer slices for a reader, and what a reader or
# the JSON Lines writer holds at once (a million rows of the timeline took 3.6 GiB to re-read).
PARQUET_ROW_GROUP = 250_000
BATCH_ROWS = 250_000
# Above this many rows, a file that must be sorted is written while no other is sorted.
LARGE_SORT_ROWS = 5_000_000


def _sql_value(value: object) -> str:
    return "NULL" if value is None else sql_string(value) if isinstance(value, str) else repr(value)


def method_ddl() -> str:
    """score_weights with its default rows, and score_method_version()."""
    rows = ",\n".join(
        f"    ({sql_string(w.factor)}, {sql_string(w.level)}, {_sql_value(w.weight)}, "
        f"{sql_string(w.why)})"
        for w in WEIGHTS
    )
    return "\n".join(
        [
            duckdb_ddl(DERIVED_TABLES["score_weights"]),
            f"INSERT INTO score_weights VALUES\n{rows};",
            f"CREATE OR REPLACE MACRO score_method_version() AS {sql_string(METHOD_VERSION)};",
        ]
    )


# Every table and view the package holds in `main`, by name (the registry's; a test holds them
# to the package's catalog).
PACKAGE_NAMES = tuple(sorted({*TABLES, *DERIVED_TABLES, *HISTORY_TABLES, *VIEWS}))


def package_names_guard_ddl() -> str:
    """package_names_unhidden(): true, or an error when the caller's session hides one of the
    package's tables or views behind a temporary one of the same name. DuckDB looks in `temp`
    first, for `main.claims` too, in the caller's query, in views and inside macros, so a macro
    would score the caller's rows without a word; each as-of macro checks first. The names are
    the registry's (a test holds them to the package's), so the check reads only the temporary
    catalog: about 1 ms, where comparing it with the package's catalog took 2.4."""
    listed = ", ".join(sql_string(name) for name in PACKAGE_NAMES)
    return f"""CREATE OR REPLACE MACRO package_names_unhidden() AS (
    select case
        when count(*) = 0 then true
        else error('a temporary table or view named ' || string_agg(name, ', ' order by name)
                   || ' hides the package''s own of that name, and saydo''s macros would read '
                   || 'it instead: drop it (DROP TABLE or DROP VIEW temp.main.<name>) or name it '
                   || 'otherwise; '
                   || 'to change the package''s tables, use saydo query --what-if, which works '
                   || 'on a private copy.')
    end
    from (
        select table_name as name from duckdb_tables() where database_name = 'temp'
        union all
        select view_name from duckdb_views() where database_name = 'temp'
    ) as temporary_entries
    where name in ({listed})
);"""


def sql_files(names: tuple[str, ...] | None = None) -> list[str]:
    """The text of the views' and macros' files, in file order (`names` limits it to some)."""
    return [
        sql_file.read_text(encoding="utf-8")
        for sql_file in sorted(SQL_DIR.glob("*.sql"))
        if names is None or sql_file.name in names
    ]


def run_sql_files(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] | None = None) -> None:
    """The views and macros, in file order (`names` limits it to some files)."""
    for text in sql_files(names):
        con.execute(text)


FUNCTIONS_FILE = "00_functions.sql"


def package_schema_sql() -> list[str]:
    """Every statement that lays the package out before a row is written, in order: the
    tables and their comments, the history views, the weights, the stored views' tables, the
    macros and the views the package ships, with their comments. They depend on the code
    alone, so a build copies the empty package they make (lay_out_package)."""
    statements = [duckdb_ddl(DERIVED_TABLES[n]) for n in ("releases", "changes", "score_changes")]
    statements += [duckdb_ddl(table) for table in TABLES.values()]
    # What saydo keeps for itself (versions, stored scores, company keys), apart from `main`.
    statements.append("CREATE SCHEMA internal;")
    statements += history_ddl()
    statements += [method_ddl(), package_names_guard_ddl(), stored_views_ddl()]
    statements += sql_files()
    statements.append(fast_views_sql())
    statements += [
        comments_ddl("VIEW", view.name, view.description, list(view.columns))
        for view in VIEWS.values()
    ]
    return statements


def open_package(path: Path, **settings) -> duckdb.DuckDBPyConnection:
    """The package file, opened so the same rows are written into the same bytes: in the
    storage format older clients read, and without FSST string compression, which samples
    strings at random for its symbol table (dictionary compression and the rest are
    deterministic). `settings` are connect()'s (memory limit, spill folder)."""
    con = connect(path, storage_version=PACKAGE_STORAGE_VERSION, **settings)
    con.execute("SET disabled_compression_methods = 'fsst'")
    return con


@dataclass(frozen=True)
class Layout:
    """The empty package: a DuckDB file with only its headers, and the write-ahead log of the
    statements that lay it out. Replaying the log when the build opens its copy costs 0.08 s
    where planning the statements costs 0.4 s, and the catalog is written into the file once,
    at the build's checkpoint (a checkpointed copy left 1 MB of free blocks in the file)."""

    database: bytes
    log: bytes

    @property
    def digest(self) -> str:
        length = len(self.database).to_bytes(8, "little")
        return hashlib.sha256(length + self.database + self.log).hexdigest()

    @staticmethod
    def read(path: Path) -> Layout:
        return Layout(path.read_bytes(), _log_of(path).read_bytes())

    def write(self, path: Path) -> None:
        path.write_bytes(self.database)
        _log_of(path).write_bytes(self.log)


def _log_of(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def empty_package(path: Path, statements: list[str]) -> Layout:
    """The package laid out by `statements` at `path`, without rows, kept in its log (the
    same bytes for the same statements, file name and code)."""
    con = open_package(path)
    try:
        # Everything stays in the log: no checkpoint at any size, nor on closing.
        con.execute("SET checkpoint_threshold = '1TB'")
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        with transaction(con):
            for statement in statements:
                con.execute(statement)
    finally:
        con.close()
    return Layout.read(path)


# The empty package, by the fingerprint of what laid it out, as laid out by this process (a
# copy read from .saydo-cache/ is never kept here, so a release in the same process never
# starts from one).
_LAID_OUT: dict[str, Layout] = {}
_LAYOUT_CODE = (Path(__file__), Path(__file__).with_name("db.py"))


def layout_fingerprint(path: Path, statements: list[str]) -> str:
    """What the empty package's bytes depend on: the statements, the code that runs them,
    DuckDB's version, the storage format and the file's name (DuckDB names the database
    inside the file after it, and views refer to that name)."""
    digest = hashlib.sha256(
        repr((duckdb.__version__, PACKAGE_STORAGE_VERSION, path.name, statements)).encode()
    )
    for code in _LAYOUT_CODE:
        digest.update(code.read_bytes())
    return digest.hexdigest()


def lay_out_package(path: Path, cache: Path | None) -> None:
    """The empty package at `path`. The statements that lay it out are about two hundred,
    planned one by one (0.4 s, a sixth of rebuilding the real package), and give the same
    bytes for the same code: so it is laid out once per process, and kept in `cache`
    (.saydo-cache/) for the next plain build, checked by its digest before use. `saydo
    release` passes no cache."""
    statements = package_schema_sql()
    fingerprint = layout_fingerprint(path, statements)
    layout = _LAID_OUT.get(fingerprint)
    if layout is None and cache is not None:
        layout = _cached_layout(cache, fingerprint)
    if layout is not None:
        layout.write(path)
        return
    layout = empty_package(path, statements)
    _LAID_OUT[fingerprint] = layout
    if cache is not None:
        _keep_layout(cache, fingerprint, layout)


def _cached_layout(cache: Path, fingerprint: str) -> Layout | None:
    database = cache / f"package-{fingerprint}.duckdb"
    try:
        if any(p.is_symlink() or not p.is_file() for p in (database, _log_of(database))):
            return None
        layout = Layout.read(database)
        digest = (cache / f"package-{fingerprint}.sha256").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    # A damaged copy costs the 0.4 s of laying the package out again, never a wrong file.
    return layout if layout.digest == digest else None


def _keep_layout(cache: Path, fingerprint: str, layout: Layout) -> None:
    """Keep `layout` in `cache` in place of any other: a layout of older code is never used
    again."""
    try:
        for old in cache.glob("package-*"):
            if not old.name.startswith(f"package-{fingerprint}."):
                old.unlink()
    except OSError:
        pass  # kept by something else, or not a folder: keep() says whether it can write
    # The digest last: a copy is used only once all of it is in place.
    for name, data in (
        (f"package-{fingerprint}.duckdb", layout.database),
        (f"package-{fingerprint}.duckdb.wal", layout.log),
        (f"package-{fingerprint}.sha256", layout.digest.encode("ascii")),
    ):
        if not keep(cache, name, data):
            return


def write_package(
    con: duckdb.DuckDBPyConnection,
    work: str,
    versions: dict[str, list[dict]],
    releases: list[tuple],
) -> None:
    """Fill the laid-out package `con` from the attached work database `work`; `releases` are
    the rows of the releases table (every release, and this build)."""
    con.executemany("insert into releases values (?, ?, ?, ?)", releases)
    for name, table in TABLES.items():
        keys = ", ".join(table.primary_key)
        columns = ", ".join(table.fields)
        con.execute(f"insert into {name} select {columns} from {work}.{name} order by {keys}")
    fill_history(con, versions)
    fill_released_review(con)


def score(con: duckdb.DuckDBPyConnection) -> None:
    """Compute the stored views once (the views that read them are in place)."""
    store_views(con)
    con.execute("CHECKPOINT")


# --- stored views -------------------------------------------------------------------------------
# The views computed by a macro are computed once at build time and stored, sorted by company, so
# `SELECT ... FROM company_gap WHERE company_id = 'x'` reads one slice of a table in milliseconds
# at any size. Each view's rows are stored with an integer company_key, and the view reads the
# company_id from a small key table: a filter on company_id is applied to that table first and
# reaches the large one as a range of integer keys, which every DuckDB storage version can skip
# to (string statistics keep only a few leading bytes in the format older clients read).
# The macros (`*_as_of`, `timeline_of`) read the stored rows too while the weights are those
# the rows were computed with, and compute from the records otherwise.
STORED_VIEWS = tuple(name for name, view in VIEWS.items() if view.computed_by)


def stored_views_ddl() -> str:
    """The key table, the stored views' tables (columns from their declarations) and the note
    of which weights each was computed with, in the `internal` schema (package_schema_sql)."""
    statements = [
        "CREATE TABLE internal.company_keys (company_id VARCHAR NOT NULL, "
        "company_key BIGINT NOT NULL);",
        "CREATE TABLE internal.stored_scores (view_name VARCHAR NOT NULL, "
        "weights_fingerprint VARCHAR NOT NULL);",
    ]
    for name in STORED_VIEWS:
        columns = typed_columns_sql(list(VIEWS[name].columns))
        statements.append(
            f"CREATE TABLE internal.{name}_stored ({columns}, company_key BIGINT NOT NULL);"
        )
    return "\n".join(statements)


# Claims per slice when the views are stored: the per-claim lists of evidence ids and the group
# walk are held in memory whole (DuckDB cannot spill them), so a large package is scored a slice
# of companies at a time. Small packages are one slice.
CLAIMS_PER_SLICE = 1_000_000


def store_views(con: duckdb.DuckDBPyConnection, claims_per_slice: int | None = None) -> None:
    """Compute each stored view once, in an order where each reads the stored rows of those
    before it, and mark it current for the weights it was computed with."""
    claims_per_slice = claims_per_slice or CLAIMS_PER_SLICE
    con.execute(
        "insert into internal.company_keys select company_id, "
        "row_number() over (order by company_id) from companies order by company_id"
    )
    slices = company_slices(con, claims_per_slice)
    for name in STORED_VIEWS:
        view = VIEWS[name]
        columns = ", ".join(f"computed.{c.name}" for c in view.columns)
        for companies in slices:
            con.execute(
                f"""insert into internal.{name}_stored
                    select {columns}, keys.company_key
                    from {view.built_for("?::varchar[]")} as computed
                    join internal.company_keys as keys using (company_id)
                    order by keys.company_key, {_order_sql(name, "computed")}""",
                [companies],
            )
        con.execute(
            "insert into internal.stored_scores select ?, score_weights_fingerprint()", [name]
        )


def company_slices(con: duckdb.DuckDBPyConnection, claims_per_slice: int) -> list[list[str] | None]:
    """Runs of companies in key order with about `claims_per_slice` claims each (a company is
    never split); [None], all of them at once, when the package is that small."""
    if con.execute("select count(*) from claims").fetchall()[0][0] <= claims_per_slice:
        return [None]
    rows = con.execute(
        """select keys.company_id, count(claim.claim_id) as claims
           from internal.company_keys as keys
           left join claims as claim using (company_id)
           group by keys.company_key, keys.company_id
           order by keys.company_key"""
    ).fetchall()
    slices: list[list[str] | None] = []
    current: list[str] = []
    held = 0
    for company_id, claims in rows:
        if current and held + claims > claims_per_slice:
            slices.append(current)
            current, held = [], 0
        current.append(company_id)
        held += claims
    if current:
        slices.append(current)
    return slices


def fast_views_sql() -> str:
    """The views as the package ships them: the stored rows. A weighted view refuses to answer
    once score_weights differs from the weights its rows were computed with (it would be out of
    date); the error says what to use instead."""
    statements = []
    for name in STORED_VIEWS:
        view = VIEWS[name]
        columns = ", ".join(
            "keys.company_id" if c.name == "company_id" else f"stored.{c.name}"
            for c in view.columns
        )
        guard = ""
        if view.weighted:
            guard = f"""
            where case
                when (select count(*) from internal.stored_scores
                      where view_name = '{name}'
                        and weights_fingerprint = score_weights_fingerprint()) > 0 then true
                else error('{name} holds the scores computed at build time with the default '
                           || 'weights, and score_weights has changed since: read '
                           || '{view.computed_by} instead, or run the SQL with '
                           || 'saydo query --what-if.')
            end"""
        statements.append(
            f"""create or replace view {name} as
            select {columns}
            from internal.{name}_stored as stored
            join internal.company_keys as keys using (company_key){guard}
            order by {_order_sql(name, "stored", company="keys")};"""
        )
    return "\n".join(statements)


def live_views_sql() -> str:
    """The views computed from the records at every read: what `saydo query --what-if` uses in
    its private copy, where weights and records may change. timeline_of reads the stored story
    whenever as_of is NULL (it cannot depend on the weights), so here it tells every story from
    the records too."""
    views = [
        f"create or replace view {name} as select * from {VIEWS[name].computed_by} "
        f"order by {_order_sql(name)};"
        for name in STORED_VIEWS
    ]
    live_timeline = (
        "create or replace macro timeline_of(companies, as_of := NULL, clock := 'published') "
        "as table select * from timeline_from_records(companies, as_of := as_of, clock := clock);"
    )
    return "\n".join([*views, live_timeline])


def _order_sql(name: str, alias: str = "", company: str = "") -> str:
    """The ORDER BY of a table or view, its columns qualified by `alias` (company_id by
    `company`, when it comes from another table)."""
    terms = declared_order(name)
    if not alias:
        return ", ".join(terms)
    return ", ".join(
        f"{company or alias}.{term}" if term.startswith("company_id") else f"{alias}.{term}"
        for term in terms
    )


def _schema(name: str, metadata: dict[str, str] | None = None) -> pa.Schema:
    return arrow_schema(VIEWS[name] if name in VIEWS else PUBLISHED_TABLES[name], metadata)


def stored_in_order(name: str) -> str | None:
    """The relation holding a table's or view's rows in their declared order, when there is
    one, so its file is read as the rows lie, without a sort: a record table is stored in key
    order (write_package inserts it sorted), a stored score view whose order starts with the
    company in its view's order (a slice of companies after another, each sorted), and DuckDB
    keeps a single table's insertion order when it is read without ORDER BY (its documented
    order preservation; transforms.db.connect keeps the setting on)."""
    if name in TABLES:
        return name
    if name in STORED_VIEWS and VIEWS[name].order_by[0] == "company_id":
        return f"internal.{name}_stored"
    return None


def file_query(name: str, columns: str) -> str:
    """The query a file is written from: in its declared order, sorted only when the rows
    are not already stored in it (a sort of tens of millions of rows held gigabytes at 10M
    claims)."""
    stored = stored_in_order(name)
    if stored:
        return f"select {columns} from {stored}"
    return f"select {columns} from {name} order by {_order_sql(name)}"


def write_parquet_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    target: Path,
    metadata: dict[str, str] | None = None,
) -> int:
    """One table or view as a ZSTD Parquet file with the registry's schema (descriptions in the
    field metadata, the release's stamp in the file's), streamed from DuckDB in batches so it
    never sits whole in memory. A required column holding an empty value fails the cast."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema(name, metadata)
    reader = con.sql(file_query(name, ", ".join(schema.names))).to_arrow_reader(BATCH_ROWS)
    rows = 0
    with pq.ParquetWriter(target, schema, compression="zstd", write_statistics=True) as writer:
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch.cast(schema))
            pending_rows += batch.num_rows
            if pending_rows >= PARQUET_ROW_GROUP:
                writer.write_table(
                    pa.Table.from_batches(pending, schema), row_group_size=PARQUET_ROW_GROUP
                )
                rows += pending_rows
                pending, pending_rows = [], 0
        if pending or rows == 0:
            writer.write_table(
                pa.Table.from_batches(pending, schema), row_group_size=PARQUET_ROW_GROUP
            )
            rows += pending_rows
    return rows


def release_metadata(
    con: duckdb.DuckDBPyConnection, version: str, data_date: str, licence: str
) -> dict[str, str]:
    """What every file of the release says about itself, in its key-value metadata."""
    fingerprint = con.execute("select score_weights_fingerprint()").fetchall()[0][0]
    return {
        "saydo.version": version,
        "saydo.data_date": data_date,
        "saydo.method_version": METHOD_VERSION,
        "saydo.weights_fingerprint": fingerprint,
        "saydo.licence": licence,
    }


def write_table_files(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    names: tuple[str, ...],
    metadata: dict[str, str] | None = None,
    workers: int = 2,
) -> None:
    """Each table and view as Parquet at its place in the release folder (release_file), then
    as gzip-compressed JSON Lines streamed from that Parquet file (polars), so nothing is
    computed twice and memory stays flat whatever the size. Files are written `workers` at a
    time: DuckDB, pyarrow and polars work outside Python's lock, so two files use two cores."""
    from concurrent.futures import ThreadPoolExecutor

    import polars as pl

    # Two sorts of tens of millions of rows at once took 11 GiB at 10M claims: a large file
    # that must be sorted is never written beside another; files read in stored order stream.
    one_large_sort = threading.Lock()

    def write(name: str) -> None:
        parquet = folder / release_file(name, "parquet")
        jsonl = folder / release_file(name, "jsonl")
        for target in (parquet, jsonl):
            target.parent.mkdir(exist_ok=True)
        large_sort = sizes[name] > LARGE_SORT_ROWS and not stored_in_order(name)
        cursor = con.cursor()
        try:
            with one_large_sort if large_sort else contextlib.nullcontext():
                write_parquet_file(cursor, name, parquet, metadata)
        finally:
            cursor.close()
        # gzip level 1: a twentieth of the size, and faster than writing it uncompressed.
        pl.scan_parquet(parquet).sink_ndjson(
            jsonl, compression="gzip", compression_level=1, check_extension=False
        )

    # The largest first, so the two workers finish close together.
    counted = " union all ".join(f"select {i}, count(*) from {n}" for i, n in enumerate(names))
    sizes = {names[i]: rows for i, rows in con.execute(counted).fetchall()}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(write, n) for n in sorted(names, key=lambda n: -sizes[n])]:
            done.result()


TABLE_FILES = PUBLISHED_ORDER
VIEW_FILES = tuple(VIEWS)
