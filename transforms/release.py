"""What makes a build a release: the manifest of what it publishes, its version, the diff
against the previous release, datapackage.json, SHA256SUMS and the CHANGELOG section.

The repo keeps one small manifest per release in `releases/<version>.json`: for every table,
its columns and types, and for every record its id and a short hash of each value. From two
manifests saydo knows what was added, changed (and in which fields) and retracted, which
version number the new release gets (the Frictionless data-package version recipe), and whether
a published id disappeared or a published value changed without a correction, which it refuses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from schemas.generate import frictionless_schema
from schemas.registry import PUBLISHED_TABLES, TABLES
from transforms.db import connect
from transforms.history import record_id_sql
from transforms.problems import Problem

MANIFEST_FORMAT = 1
FIRST_VERSION = "1.0.0"
LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0",
    }
]
# Fields whose change is a retraction, not a correction.
_RETRACTION_FIELDS = ("retracted_on", "retraction_reason")


# --- manifests --------------------------------------------------------------------------------
def _value_hash(value: object) -> str:
    """The manifest hash of one value, as DuckDB's sha256 of its JSON gives it (used here for
    the empty value)."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def manifest(
    frames: dict[str, pl.DataFrame], version: str, data_date: dt.date, method_version: str
) -> dict:
    """What a release publishes: per table, columns with types, and per record a 12-hex hash
    of each value (sha256 of its JSON, in column order)."""
    con = connect()
    tables = {}
    for name, table in TABLES.items():
        con.register("frame", frames[name].to_arrow())
        key = record_id_sql(table)
        values = ", ".join(
            f"substr(sha256(coalesce(to_json({c.name})::varchar, 'null')), 1, 12)"
            for c in table.columns
        )
        rows = con.execute(f"select {key} as id, [{values}] from frame order by id").fetchall()
        con.unregister("frame")
        tables[name] = {
            # A list, not a mapping: each record's hashes follow this order.
            "columns": [[c.name, c.type] for c in table.columns],
            "records": dict(rows),
        }
    con.close()
    return {
        "format": MANIFEST_FORMAT,
        "version": version,
        "data_date": data_date.isoformat(),
        "method_version": method_version,
        "tables": tables,
    }


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def latest_manifest(releases: Path) -> dict | None:
    found = (
        sorted(releases.glob("*.json"), key=lambda p: _version_key(p.stem))
        if (releases.is_dir())
        else []
    )
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else None


def read_manifest(path: Path) -> dict:
    """A manifest file, or the manifest inside a release folder (dist/)."""
    if path.is_dir():
        path = path / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


# --- diffs ------------------------------------------------------------------------------------
@dataclass
class TableDiff:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    retracted: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(vars(self).values())


@dataclass
class Diff:
    old_version: str | None
    new_version: str
    tables: dict[str, TableDiff]

    def as_json(self) -> dict:
        return {
            "from": self.old_version,
            "to": self.new_version,
            "tables": {name: vars(d) for name, d in self.tables.items() if not d.is_empty()},
        }

    def render_table(self) -> str:
        lines = [
            f"saydo diff {self.old_version or '(nothing)'} -> {self.new_version}",
            f"{'table':<16} {'added':>6} {'changed':>8} {'retracted':>10} {'removed':>8}",
        ]
        for name, d in self.tables.items():
            if d.is_empty():
                continue
            lines.append(
                f"{name:<16} {len(d.added):>6} {len(d.changed):>8} "
                f"{len(d.retracted):>10} {len(d.removed):>8}"
            )
            for record, fields in sorted(d.changed.items()):
                lines.append(f"  changed {record}: {', '.join(fields)}")
            for record in d.retracted:
                lines.append(f"  retracted {record}")
            for label, columns in (
                ("new columns", d.columns_added),
                ("removed columns", d.columns_removed),
                ("retyped columns", d.columns_retyped),
            ):
                if columns:
                    lines.append(f"  {label}: {', '.join(columns)}")
        if len(lines) == 2:
            lines.append("(no changes)")
        return "\n".join(lines)


def diff(old: dict | None, new: dict) -> Diff:
    tables: dict[str, TableDiff] = {}
    old_tables = old["tables"] if old else {}
    for name in sorted({*old_tables, *new["tables"]}):
        before = old_tables.get(name, {"columns": [], "records": {}})
        after = new["tables"].get(name, {"columns": [], "records": {}})
        old_types, new_types = dict(before["columns"]), dict(after["columns"])
        old_cols, new_cols = list(old_types), list(new_types)
        d = TableDiff()
        d.columns_added = [c for c in new_cols if c not in old_types]
        d.columns_removed = [c for c in old_cols if c not in new_types]
        d.columns_retyped = [c for c in new_cols if c in old_types and new_types[c] != old_types[c]]
        shared = [c for c in new_cols if c in old_types]
        null_hash = _value_hash(None)
        for record, hashes in after["records"].items():
            if record not in before["records"]:
                d.added.append(record)
                continue
            was = dict(zip(old_cols, before["records"][record], strict=True))
            now = dict(zip(new_cols, hashes, strict=True))
            changed = [c for c in shared if was[c] != now[c]]
            if (
                was.get("retracted_on", null_hash) == null_hash
                and now.get("retracted_on", null_hash) != null_hash
            ):
                d.retracted.append(record)
            changed = [c for c in changed if c not in _RETRACTION_FIELDS]
            if changed:
                d.changed[record] = changed
        d.removed = [r for r in before["records"] if r not in after["records"]]
        tables[name] = d
    return Diff(old["version"] if old else None, new["version"], tables)


def next_version(old: dict | None, d: Diff) -> str:
    """The Frictionless data-package version recipe: MAJOR when a column is removed, renamed
    or retyped; MINOR when data, columns or tables are added; PATCH for corrections and
    retractions; unchanged when nothing changed."""
    if old is None:
        return FIRST_VERSION
    major, minor, patch = _version_key(old["version"])
    tables = d.tables
    if any(t.columns_removed or t.columns_retyped or t.removed for t in tables.values()):
        return f"{major + 1}.0.0"
    # A new row of `corrections` records a correction: it is a PATCH, not new data.
    if any((t.added and name != "corrections") or t.columns_added for name, t in tables.items()):
        return f"{major}.{minor + 1}.0"
    if any(t.changed or t.retracted or t.added for t in tables.values()):
        return f"{major}.{minor}.{patch + 1}"
    return old["version"]


def published_problems(old: dict | None, d: Diff, corrections: pl.DataFrame) -> list[Problem]:
    """A published id never disappears, and a published value never changes without a
    correction record."""
    if old is None:
        return []
    old_corrections = set(old["tables"].get("corrections", {}).get("records", {}))
    new_corrections = [
        row
        for row in corrections.iter_rows(named=True)
        if "/".join(
            [
                row["table_name"],
                row["record_id"],
                row["field_name"],
                row["corrected_on"].isoformat(),
            ]
        )
        not in old_corrections
    ]
    covered = {(r["table_name"], r["record_id"], r["field_name"]) for r in new_corrections}
    # An English quote is its own translation: correcting it corrects quote_en too.
    covered |= {(t, r, "quote_en") for t, r, f in list(covered) if f == "quote"}
    problems = []
    release = f"release {old['version']}"
    for name, table_diff in d.tables.items():
        for record in table_diff.removed:
            problems.append(
                Problem(
                    f"releases/{old['version']}.json",
                    None,
                    f"{name} {record}",
                    "",
                    f"was published in {release} and is missing now; a released id never "
                    f"disappears.",
                    "restore the record and retract it: set retracted_on and retraction_reason.",
                    "published_id",
                )
            )
        for record, fields in table_diff.changed.items():
            for column in fields:
                if name == "corrections" or (name, record, column) in covered:
                    continue
                problems.append(
                    Problem(
                        f"releases/{old['version']}.json",
                        None,
                        f"{name} {record}",
                        column,
                        f"changed since {release} without a correction record.",
                        f"add to the case file's corrections: table_name: {name}, record_id: "
                        f"{record}, field_name: {column}, previous_value (what {release} said), "
                        f"corrected_on and reason.",
                        "published_value",
                    )
                )
    return problems


# --- the release folder -----------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path) -> Path:
    """SHA256SUMS for every file in the release, in `sha256sum -c` format."""
    lines = [
        f"{sha256_of(p)}  {p.relative_to(folder).as_posix()}"
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "SHA256SUMS"
    ]
    target = folder / "SHA256SUMS"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


_DUCKDB_HEADER_ID = slice(124, 140)  # the random file identifier DuckDB 2.0.1 writes
_CHECKSUM_FACTOR = 0xBF58476D1CE4E5B9


def _header_checksum(block: bytes) -> int:
    result = 5381
    for (word,) in struct.iter_unpack("<Q", block):
        result ^= (word * _CHECKSUM_FACTOR) & 0xFFFFFFFFFFFFFFFF
    return result


def normalize_duckdb_file(path: Path) -> bool:
    """Zero the random identifier DuckDB writes into a database file's main header (and fix
    the header's checksum), so two builds of the same data give the same bytes. Done only for
    the pinned DuckDB whose header layout was checked, and only if the file still opens;
    otherwise the file is left as written. Returns whether it was normalized."""
    if duckdb.__version__ != "2.0.1":
        return False
    with open(path, "r+b") as handle:
        original = handle.read(4096)
        header = bytearray(original)
        if len(header) < 4096 or struct.unpack("<Q", header[:8])[0] != _header_checksum(
            bytes(header[8:])
        ):
            return False
        header[_DUCKDB_HEADER_ID] = bytes(16)
        header[:8] = struct.pack("<Q", _header_checksum(bytes(header[8:])))
        handle.seek(0)
        handle.write(header)
    try:
        con = duckdb.connect(str(path), read_only=True)
        con.execute("select count(*) from duckdb_tables()").fetchall()
        con.close()
    except duckdb.Error:
        with open(path, "r+b") as handle:
            handle.write(original)
        return False
    return True


def _frictionless_type(arrow_type: str) -> str:
    if arrow_type.startswith(("list", "large_list")):
        return "any"
    return {
        "string": "string",
        "large_string": "string",
        "double": "number",
        "int64": "integer",
        "int32": "integer",
        "date32[day]": "date",
        "bool": "boolean",
    }.get(arrow_type, "any")


def datapackage(
    folder: Path,
    version: str,
    data_date: dt.date,
    method_version: str,
    cases: dict[str, dict],
    views: dict[str, dict],
) -> dict:
    """A Frictionless data package describing every Parquet file in the release."""
    import pyarrow.parquet as pq

    resources = []
    for name, table in PUBLISHED_TABLES.items():
        resources.append(_resource(name, table.description, frictionless_schema(table)))
    for name, spec in views.items():
        schema = pq.read_schema(folder / "parquet" / f"{name}.parquet")
        fields = [
            {
                "name": f.name,
                "type": _frictionless_type(str(f.type)),
                "description": spec["columns"][f.name],
            }
            for f in schema
        ]
        resources.append(
            _resource(
                name,
                spec["description"] + " A snapshot of the view with the default weights.",
                {"fields": fields},
            )
        )
    return {
        "profile": "tabular-data-package",
        "name": "saydo",
        "title": "saydo: what companies say, beside what is documented",
        "description": "Company claims about ESG and human rights beside the evidence that "
        "refutes, supports or gives context to them, each row citing its source, with the "
        "say-do gap scored in the open.",
        "version": version,
        "homepage": "https://github.com/saydo-data/saydo",
        "licenses": LICENSES,
        "keywords": ["ESG", "human rights", "greenwashing", "corporate claims", "evidence"],
        "sources": [
            {"title": case.get("title") or case_id, "path": case["file"]}
            for case_id, case in sorted(cases.items())
        ],
        "saydo": {
            "data_date": data_date.isoformat(),
            "method_version": method_version,
        },
        "resources": resources,
    }


def _resource(name: str, description: str, schema: dict) -> dict:
    # Frictionless cannot count the bytes or hash a Parquet source; SHA256SUMS covers them.
    return {
        "name": name.replace("_", "-"),
        "path": f"parquet/{name}.parquet",
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": description,
        "schema": _frictionless_names(schema),
    }


def _frictionless_names(schema: dict) -> dict:
    """Frictionless resource names allow no underscore: foreign keys point to the hyphenated
    names."""
    for fk in schema.get("foreignKeys", []):
        fk["reference"]["resource"] = fk["reference"]["resource"].replace("_", "-")
    return schema


def changelog_section(d: Diff, data_date: dt.date, method_version: str) -> str:
    lines = [f"## {d.new_version} ({data_date.isoformat()})", ""]
    if d.old_version is None:
        lines.append("First release.")
    lines.append(f"Scoring method {method_version}.")
    lines.append("")
    for name, t in d.tables.items():
        if t.is_empty():
            continue
        parts = []
        if t.added:
            parts.append(f"{len(t.added)} added")
        if t.changed:
            parts.append(f"{len(t.changed)} corrected")
        if t.retracted:
            parts.append(f"{len(t.retracted)} retracted")
        if t.columns_added and d.old_version is not None:
            parts.append("new columns " + ", ".join(f"`{c}`" for c in t.columns_added))
        if t.columns_removed or t.columns_retyped:
            parts.append(
                "changed columns "
                + ", ".join(f"`{c}`" for c in t.columns_removed + t.columns_retyped)
            )
        if parts:
            lines.append(f"- `{name}`: " + "; ".join(parts) + ".")
        if d.old_version is not None:
            for record, fields in sorted(t.changed.items()):
                lines.append(f"  - corrected `{record}`: {', '.join(fields)}")
            for record in t.retracted:
                lines.append(f"  - retracted `{record}`")
    return "\n".join(lines) + "\n"
