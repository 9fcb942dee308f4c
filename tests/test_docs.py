"""Documentation examples are executed, so they cannot go stale."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import yaml

from tests.conftest import REPO, TODAY, minimal_case, write_case
from transforms.build import build


def test_readme_worked_example_builds_and_refutes(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "links:" in b]
    example = yaml.safe_load(block)
    case = minimal_case()
    for section, records in example.items():
        case[section].extend(records)
    datasets = tmp_path / "datasets"
    write_case(datasets, case)
    build(datasets, tmp_path / "dist", today=TODAY, gate=False)
    links = pl.read_parquet(tmp_path / "dist" / "parquet" / "claim_evidence.parquet")
    assert links.filter(pl.col("claim_id") == "acme-no-forced-labour-2023").select(
        "evidence_id", "relation"
    ).rows() == [("acme-supplier-audit-2023", "refutes")]


def test_readme_error_example_is_what_saydo_prints(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```\n(datasets/cases/acme.yaml:\d+: .*?)```", readme, re.S).group(1)
    case = minimal_case()
    case["claims"][0]["topic"] = "weather"
    write_case(tmp_path / "datasets", case)
    from validations.problems import InputError

    try:
        build(tmp_path / "datasets", tmp_path / "dist", today=TODAY)
    except InputError as error:
        printed = error.problems[0].render()
    assert " ".join(shown.split()) == printed


def test_errors_doc_lists_every_rule_and_is_current() -> None:
    import datetime as dt

    from transforms.exporters.docs import fill_generated_section, rules_table
    from validations.rules import rules

    committed = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    regenerated = fill_generated_section(committed, "rules", rules_table())
    assert committed == regenerated, "run `saydo docs` to regenerate docs/errors.md"
    for rule in rules(dt.date(2000, 1, 1)):
        assert f"`{rule.name.split(':')[0]}`" in committed
