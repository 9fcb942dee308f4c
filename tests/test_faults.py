"""Faults: a build killed at any moment leaves dist/ as the previous release, whole (or absent
if there was none); two builds at once never corrupt each other."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TODAY, minimal_case, snapshot, write_case
from transforms.build import build
from transforms.publish import build_lock

SAYDO = str(Path(sys.executable).parent / "saydo")


def _command(datasets: Path, out: Path) -> list[str]:
    return [SAYDO, "build", "--datasets", str(datasets), "--out", str(out), "--quiet", "--no-gate"]


def _whole(out: Path) -> bool:
    """The release verifies against its own checksums."""
    if not out.exists():
        return True
    result = subprocess.run(
        ["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=out, capture_output=True
    )
    return result.returncode == 0


@pytest.mark.slow
def test_killing_the_build_at_random_moments_never_leaves_a_broken_dist(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    out = tmp_path / "dist"
    # Release A, then inputs for a different release B.
    write_case(datasets, minimal_case())
    build(datasets, out, today=TODAY, gate=False)
    release_a = snapshot(out)
    saved_a = tmp_path / "release-a"
    shutil.copytree(out, saved_a)
    case_b = minimal_case()
    case_b["claims"].append({**case_b["claims"][0], "claim_id": "acme-second-denial"})
    write_case(datasets, case_b)

    start = time.perf_counter()
    subprocess.run(_command(datasets, tmp_path / "timing"), check=True)
    full_run = time.perf_counter() - start
    release_b = snapshot(tmp_path / "timing")
    assert release_a != release_b

    rng = random.Random(20261129)
    outcomes = {"previous": 0, "new": 0, "none": 0}
    for trial in range(24):
        first_ever = trial < 4  # the first trials have no previous release at all
        if first_ever:
            shutil.rmtree(out, ignore_errors=True)
        process = subprocess.Popen(
            _command(datasets, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, full_run * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = snapshot(out)
        assert _whole(out), f"trial {trial}: dist/ does not verify"
        if after == release_b:
            outcomes["new"] += 1
        elif first_ever:
            assert after == {}, f"trial {trial}: a partial first release"
            outcomes["none"] += 1
        else:
            assert after == release_a, f"trial {trial}: dist/ is neither release A nor B"
            outcomes["previous"] += 1
        # Start each trial from release A.
        shutil.rmtree(out, ignore_errors=True)
        if not first_ever or trial == 3:
            shutil.copytree(saved_a, out)
    assert outcomes["previous"] + outcomes["none"] >= 5, outcomes  # kills landed mid-build

    # The next build cleans up what the killed ones left behind and succeeds.
    subprocess.run(_command(datasets, out), check=True)
    assert snapshot(out) == release_b
    assert not list(tmp_path.glob("dist.building-*"))


@pytest.mark.slow
def test_a_second_build_while_one_runs_exits_with_a_clear_message(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    out = tmp_path / "dist"
    write_case(datasets, minimal_case())
    with build_lock(out):
        second = subprocess.run(_command(datasets, out), capture_output=True, text=True)
    assert second.returncode == 1
    assert "another saydo build is writing" in second.stderr
    assert "Traceback" not in second.stderr
    assert not out.exists()


@pytest.mark.slow
def test_two_builds_started_at_once_do_not_corrupt_each_other(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    out = tmp_path / "dist"
    write_case(datasets, minimal_case())
    for _ in range(3):
        runs = [
            subprocess.Popen(
                _command(datasets, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        results = [(r.wait(), r.communicate()[1]) for r in runs]
        assert any(code == 0 for code, _ in results)
        for code, stderr in results:
            assert code == 0 or "another saydo build is writing" in stderr
        assert _whole(out)
        assert "parquet/claims.parquet" in snapshot(out)
