"""Faults: a build killed at any moment leaves dist/ as the previous release, whole (or absent
if there was none); two builds at once never corrupt each other."""

from __future__ import annotations

import contextlib
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import SAYDO, TODAY, minimal_case, record, snapshot, write_case
from transforms.build import build
from transforms.publish import build_lock


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
def test_two_builds_that_overlap_never_corrupt_each_other(tmp_path: Path) -> None:
    """The second build starts while the first is writing: it is refused, the first completes."""
    datasets = tmp_path / "datasets"
    out = tmp_path / "dist"
    write_case(datasets, minimal_case())
    overlapped = 0
    for _ in range(3):
        first = subprocess.Popen(_command(datasets, out), stderr=subprocess.PIPE, text=True)
        # Wait until the first build holds the lock and is writing its staging folder.
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob("dist.building-*")) and first.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        second = subprocess.run(_command(datasets, out), capture_output=True, text=True)
        first_code, first_err = first.wait(), first.communicate()[1]
        assert first_code == 0, first_err
        if first.returncode == 0 and second.returncode == 1:
            assert "another saydo build is writing" in second.stderr
            overlapped += 1
        else:
            assert second.returncode == 0, second.stderr  # the first had finished already
        assert _whole(out)
        assert "parquet/claims.parquet" in snapshot(out)
    assert overlapped >= 1, "the builds never overlapped: the test proved nothing"


class _Injected(Exception):
    pass


def _publish_failing_at(step: int, staging: Path, out: Path, exchange: bool) -> list[str]:
    """Run publish() with the `step`-th change to the file system failing before it happens;
    returns the steps attempted."""
    import os

    import transforms.publish as publishing

    attempted: list[str] = []
    real = {
        "rename": os.rename,
        "rmtree": shutil.rmtree,
        "copytree": shutil.copytree,
        "move": shutil.move,
        "exchange": publishing._exchange,
    }

    def failing(name):
        def step_function(*args, **kwargs):
            attempted.append(name)
            if len(attempted) == step:
                raise _Injected(name)
            if name == "exchange" and not exchange:
                return False
            return real[name](*args, **kwargs)

        return step_function

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "rename", failing("rename"))
        patch.setattr(shutil, "rmtree", failing("rmtree"))
        patch.setattr(shutil, "copytree", failing("copytree"))
        patch.setattr(shutil, "move", failing("move"))
        patch.setattr(publishing, "_exchange", failing("exchange"))
        with contextlib.suppress(_Injected):
            publishing.publish(staging, out)
    return attempted


@pytest.fixture(scope="module")
def old_and_new_builds(
    minimal_release: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """Two whole builds that differ: the release in dist/, the hand-made case built
    (`minimal_release`), and the next one, the same case recorded as release 1.0.0 (`record`:
    its package says the day it was released). Both are made once for the run and shared with
    other tests; this one only copies them."""
    folder = tmp_path_factory.mktemp("publishing")
    write_case(folder / "datasets", minimal_case())
    record(folder)
    return minimal_release, folder / "dist"


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_failure_between_any_two_steps_of_publishing_leaves_a_whole_release(
    tmp_path: Path, exchange: bool, old_and_new_builds: tuple[Path, Path]
) -> None:
    """Deterministic, where random kills can miss a gap: every step of publish() is made to
    fail in turn. With an atomic exchange dist/ is always the old or the new release, whole;
    without one (two renames) the old release is at most set aside, whole, beside dist/."""
    from transforms.publish import staging_dir

    old_build, new_build = old_and_new_builds
    old, new = snapshot(old_build), snapshot(new_build)
    assert old != new

    out = tmp_path / "site" / "dist"
    step, steps_seen = 1, None
    while True:
        shutil.rmtree(out.parent, ignore_errors=True)
        shutil.copytree(old_build, out)
        staging = staging_dir(out)
        shutil.rmtree(staging)
        shutil.copytree(new_build, staging)
        attempted = _publish_failing_at(step, staging, out, exchange)
        now = snapshot(out)
        if exchange:
            assert now in (old, new), f"dist/ is neither release after {attempted}"
        else:
            aside = [snapshot(p) for p in out.parent.glob("dist.previous-*")]
            assert now in (old, new) or old in aside, f"the old release is lost after {attempted}"
        if len(attempted) < step:  # nothing failed: every step has been tried
            assert now == new
            break
        steps_seen = attempted
        step += 1
    assert steps_seen and len(steps_seen) >= 2
