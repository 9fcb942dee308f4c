"""`saydo diff OLD NEW`: what was added, changed, retracted and removed between two releases,
and how the scores moved. Each side is a release folder (dist/) or a release record
(releases/X.Y.Z.json); both are verified before they are read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from schemas.generate import sql_string
from schemas.registry import TABLES, release_file
from transforms.db import connect
from transforms.release.changes import corrected_values_sql
from transforms.release.manifest import MANIFEST_TABLES
from transforms.release.package import verify_release_folder
from transforms.release.records import (
    Release,
    ReleaseRecordError,
    problem_at,
    read_release,
    version_key,
)


@dataclass
class Side:
    version: str
    # The records file: table_name, record_id, retracted, run, digests, gap_score, status.
    records: Path | None
    format: int
    tables: dict[str, dict]
    # Format 1 only: table -> id -> value hashes.
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    columns: dict[str, list[list]] = field(default_factory=dict)
    folder: Path | None = None


def load_side(path: Path) -> Side:
    if path.is_dir():
        # Every file, not only the manifest: a table edited by hand after the build would
        # otherwise be diffed as if it were the release.
        verify_release_folder(path)
        envelope = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        return Side(
            envelope["version"],
            path / "manifest.parquet",
            2,
            envelope["tables"],
            columns={n: t["columns"] for n, t in envelope["tables"].items()},
            folder=path,
        )
    if not path.is_file():
        raise ReleaseRecordError(
            [
                problem_at(
                    path,
                    "does not exist.",
                    "give a release folder (dist) or a record (releases/X.Y.Z.json).",
                )
            ]
        )
    release: Release = read_release(path)
    return Side(
        release.version,
        release.records_path,
        release.format,
        release.tables,
        release.values,
        release.columns,
    )


@dataclass
class TableChanges:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    retracted: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # record -> field -> [value before, value after, why], where the new side can say.
    values: dict[str, dict[str, list]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.retracted or self.removed)


@dataclass
class Diff:
    old_version: str
    new_version: str
    tables: dict[str, TableChanges]
    # kind (claim_gap / company_gap) -> id -> [old score, new score, old status, new status]
    scores: dict[str, dict[str, list]] = field(default_factory=dict)
    # Why there are no score moves, when the old release did not record per-record scores.
    scores_note: str = ""

    def as_json(self) -> dict:
        return {
            "from": self.old_version,
            "to": self.new_version,
            "tables": {n: vars(t) for n, t in self.tables.items() if not t.is_empty()},
            "scores": {k: v for k, v in self.scores.items() if v},
            **({"scores_note": self.scores_note} if self.scores_note else {}),
        }

    def render_table(self) -> str:
        lines = [
            f"saydo diff {self.old_version} -> {self.new_version}",
            f"{'table':<16} {'added':>6} {'changed':>8} {'retracted':>10} {'removed':>8}",
        ]
        for name, t in self.tables.items():
            if t.is_empty():
                continue
            lines.append(
                f"{name:<16} {len(t.added):>6} {len(t.changed):>8} {len(t.retracted):>10} "
                f"{len(t.removed):>8}"
            )
            for record, fields in sorted(t.changed.items()):
                known = t.values.get(record, {})
                plain = [name for name in fields if name not in known]
                if plain:
                    lines.append(f"  changed {record}: {', '.join(plain)}")
                for name in fields:
                    if name in known:
                        before, after, why = known[name]
                        lines.append(
                            f"  changed {record}: {name}: {_value(before)} -> {_value(after)}"
                            + (f" ({_shorten(why)})" if why else "")
                        )
            for record in t.retracted:
                lines.append(f"  retracted {record}")
            for record in t.removed:
                lines.append(f"  removed {record}")
        for kind, moves in self.scores.items():
            for record, (old, new, old_status, new_status) in sorted(moves.items()):
                lines.append(
                    f"  {kind} {record}: {_score(old)} {old_status or ''} -> "
                    f"{_score(new)} {new_status or ''}".rstrip()
                )
        if self.scores_note:
            lines.append(f"scores: {self.scores_note}")
        if len(lines) == 2:
            lines.append("(no changes)")
        return "\n".join(lines)


def _score(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(value) -> str:
    return "(empty)" if value is None else repr(_shorten(value, 60))


def _ids(con, side: Side, name: str, alias: str) -> None:
    if side.format == 1:
        columns = [c[0] for c in side.columns.get(name, [])]
        position = columns.index("retracted_on") if "retracted_on" in columns else None
        rows = [
            (record, position is not None and hashes[position] != "74234e98afe7", hashes)
            for record, hashes in side.values.get(name, {}).items()
        ]
        con.execute(
            f"create or replace temp table {alias} "
            f"(record_id varchar, retracted boolean, hashes varchar[])"
        )
        if rows:
            con.executemany(f"insert into {alias} values (?, ?, ?)", rows)
        return
    con.execute(
        f"create or replace temp table {alias} as select record_id, retracted, digests as hashes "
        f"from read_parquet({sql_string(str(side.records))}) where table_name = '{name}'"
    )


def _format1_hashes(con, folder: Path, name: str, columns: list[str]) -> None:
    """The new side's values hashed as format 1 did, from its Parquet files."""
    from schemas.generate import record_id_sql

    table = TABLES[name]
    hashes = ", ".join(
        f"substr(sha256(coalesce(to_json({c})::varchar, 'null')), 1, 12)"
        if c in table.fields
        else "NULL"
        for c in columns
    )
    con.execute(
        f"create or replace temp table new_values as select {record_id_sql(table)} as record_id, "
        f"[{hashes}] as hashes from "
        f"read_parquet({sql_string(str(folder / 'parquet' / (name + '.parquet')))})"
    )


def diff(old: Side, new: Side) -> Diff:
    con = connect()
    tables = {}
    try:
        for name in MANIFEST_TABLES:
            changes = TableChanges()
            _ids(con, old, name, "old_ids")
            _ids(con, new, name, "new_ids")
            changes.added = [
                r[0]
                for r in con.execute(
                    "select record_id from new_ids where record_id not in "
                    "(select record_id from old_ids) order by 1"
                ).fetchall()
            ]
            changes.removed = [
                r[0]
                for r in con.execute(
                    "select record_id from old_ids where record_id not in "
                    "(select record_id from new_ids) order by 1"
                ).fetchall()
            ]
            changes.retracted = [
                r[0]
                for r in con.execute(
                    # Not retracted before, or not there: a record added and retracted
                    # since is listed as both, as the changes table lists it.
                    "select n.record_id from new_ids n left join old_ids o using (record_id) "
                    "where n.retracted and not coalesce(o.retracted, false) order by 1"
                ).fetchall()
            ]
            changes.changed = _changed(con, old, new, name)
            tables[name] = changes
        _attach_values(con, old, new, tables)
        scores = _score_moves(con, old, new)
    finally:
        con.close()
    note = ""
    if not any(scores.values()) and old.format == 1:
        note = (
            f"release {old.version} recorded only its mean claim gap, not each record's; "
            f"docs/methodology.md ('From 1.0 to 2.0') lists every score before and after."
        )
    return Diff(old.version, new.version, tables, scores, note)


def _attach_values(con, old: Side, new: Side, tables: dict[str, TableChanges]) -> None:
    """The value before and after of every corrected field, from the new side's corrections
    (every change to a published value is one), when the new side is a release folder."""
    if new.folder is None:
        return
    released = [
        r[0]
        for r in con.execute(
            f"select release from read_parquet("
            f"{sql_string(str(new.folder / release_file('releases', 'parquet')))})"
        ).fetchall()
    ]
    since = [v for v in released if version_key(v) > version_key(old.version)]
    if not since:
        return

    def relation(name: str) -> str:
        return f"read_parquet({sql_string(str(new.folder / release_file(name, 'parquet')))})"

    releases_sql = "[" + ", ".join(sql_string(v) for v in since) + "]"
    rows = con.execute(
        f"select table_name, record_id, field_name, old_value, new_value, reason "
        f"from ({corrected_values_sql(relation, releases_sql)}) order by all"
    ).fetchall()
    for name, record, column, before, after, why in rows:
        changes = tables.get(name)
        if changes is None:
            continue
        changes.values.setdefault(record, {})[column] = [before, after, why]
        fields = changes.changed.setdefault(record, [])
        if column not in fields:
            fields.append(column)


def _changed(con, old: Side, new: Side, name: str) -> dict[str, list[str]]:
    """Records whose values differ, with the fields that differ, where both sides can say."""
    if old.format == 1:
        columns = [c[0] for c in old.columns.get(name, [])]
        if new.format == 1:
            con.execute(
                "create or replace temp table new_values as select record_id, hashes from new_ids"
            )
        elif new.folder is not None:
            _format1_hashes(con, new.folder, name, columns)
        else:
            return {}
        compared = [
            i
            for i, c in enumerate(columns)
            if c not in ("case_id", "retracted_on", "retraction_reason")
        ]
    else:
        if (
            new.format != 2
            or old.tables[name].get("run_length") != 1
            or new.tables[name].get("run_length") != 1
        ):
            return {}
        if old.tables[name]["digest_columns"] != new.tables[name]["digest_columns"]:
            return {}
        columns = old.tables[name]["digest_columns"]
        con.execute(
            "create or replace temp table new_values as select record_id, hashes from new_ids"
        )
        compared = [
            i for i, c in enumerate(columns) if c not in ("retracted_on", "retraction_reason")
        ]
    found = con.execute(
        "select o.record_id, o.hashes, n.hashes from old_ids o join new_values n using (record_id) "
        "where o.hashes != n.hashes order by 1"
    ).fetchall()
    out = {}
    for record, before, after in found:
        fields = [columns[i] for i in compared if before[i] != after[i]]
        if fields:
            out[record] = fields
    return out


def _score_moves(con, old: Side, new: Side) -> dict[str, dict[str, list]]:
    if old.format != 2 or new.format != 2:
        return {}
    moves: dict[str, dict[str, list]] = {"claim_gap": {}, "company_gap": {}}
    rows = con.execute(
        f"""select coalesce(n.table_name, o.table_name), coalesce(n.record_id, o.record_id),
                   o.gap_score, n.gap_score, o.status, n.status
            from (select * from read_parquet({sql_string(str(old.records))})
                  where table_name in ('claim_gap', 'company_gap')) o
            full join (select * from read_parquet({sql_string(str(new.records))})
                  where table_name in ('claim_gap', 'company_gap')) n
              using (table_name, record_id)
            where o.gap_score is distinct from n.gap_score or o.status is distinct from n.status
            order by 1, 2"""
    ).fetchall()
    for kind, record, old_score, new_score, old_status, new_status in rows:
        moves[kind][record] = [old_score, new_score, old_status, new_status]
    return moves


def diff_paths(old: Path, new: Path) -> Diff:
    return diff(load_side(old), load_side(new))
