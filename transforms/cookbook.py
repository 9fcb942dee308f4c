"""docs/cookbook.md: its SQL is run against the built package and its samples regenerated.

Each recipe is a ```sql block followed by a `<!-- result-N:start/end -->` section. A block
that starts with `-- writable` changes the package, so it runs on a copy."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from schemas.generate import fill_generated_section
from transforms.db import connect

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


def run_recipe(db: Path, recipe: Recipe) -> tuple[list[str], list[tuple]]:
    """The result of the recipe's last statement; writable recipes run on a copy."""
    with tempfile.TemporaryDirectory() as folder:
        target = db
        if recipe.writable:
            target = Path(folder) / "copy.duckdb"
            shutil.copyfile(db, target)
        con = connect(target, read_only=not recipe.writable)
        try:
            statements = [
                s
                for s in recipe.sql.split(";")
                if s.strip()
                and not all(
                    line.strip().startswith("--") or not line.strip() for line in s.splitlines()
                )
            ]
            for statement in statements[:-1]:
                con.execute(statement)
            cursor = con.execute(statements[-1])
            columns = [d[0] for d in cursor.description]
            return columns, cursor.fetchall()
        finally:
            con.close()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def sample(columns: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows[:SAMPLE_ROWS]]
    more = f" (first {SAMPLE_ROWS} shown)" if len(rows) > SAMPLE_ROWS else ""
    lines.append(f"\n{len(rows)} row{'s' if len(rows) != 1 else ''}{more}.")
    return "\n".join(lines)


def refresh(text: str, db: Path) -> str:
    for recipe in recipes(text):
        columns, rows = run_recipe(db, recipe)
        text = fill_generated_section(text, f"result-{recipe.number}", sample(columns, rows))
    return text
