"""The HTML reports in a real headless browser (Debian's chromium, driven by Selenium)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, TODAY, minimal_case, write_case
from transforms.build import build
from transforms.exporters.report import write_reports

pytestmark = pytest.mark.slow
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def _install_chromium_where_missing() -> None:
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(
            "chromium and chromium-driver are needed: apt-get install chromium chromium-driver"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    _install_chromium_where_missing()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("real")
    build(REPO / "datasets", folder / "dist", gate=False)
    write_reports(folder / "dist" / "saydo.duckdb", folder / "report")
    return folder


def _open(browser, page: Path) -> list[dict]:
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(page.as_uri())
    return browser.get_log("browser")


def test_hikvision_page_renders_its_timeline_offline(browser, reports: Path) -> None:
    from selenium.webdriver.common.by import By

    log = _open(browser, reports / "report" / "hikvision.html")
    assert [entry for entry in log if entry["level"] == "SEVERE"] == []
    # Nothing was fetched: no stylesheet, font, script or image from anywhere.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    con = duckdb.connect(str(reports / "dist" / "saydo.duckdb"), read_only=True)
    group = (
        "select company_id from companies where company_id = 'hikvision' "
        "or parent_company_id = 'hikvision'"
    )
    claims = con.execute(f"select count(*) from claims where company_id in ({group})").fetchall()[
        0
    ][0]
    evidence = con.execute(
        f"select count(*) from evidence where company_id in ({group})"
    ).fetchall()[0][0]
    refuting_links = con.execute(
        f"select count(*) from claim_evidence join claims using (claim_id) "
        f"where relation = 'refutes' and company_id in ({group})"
    ).fetchall()[0][0]
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg .mark-claim")) == claims == 7
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg .mark-evidence")) == evidence
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg .mark-response")) == 1
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg .link-refutes")) == refuting_links

    arabic = browser.find_elements(By.CSS_SELECTOR, "blockquote[lang=ar]")
    assert len(arabic) >= 4
    for quote in arabic:
        assert (
            browser.execute_script("return getComputedStyle(arguments[0]).direction", quote)
            == "rtl"
        )
    # Right to left: the quote's first character is drawn at the right edge of its box.
    first_char, box = browser.execute_script(
        "const node = arguments[0].firstChild; const r = document.createRange();"
        "r.setStart(node, 0); r.setEnd(node, 1); const c = r.getBoundingClientRect();"
        "const b = arguments[0].getBoundingClientRect();"
        "return [[c.left, c.right], [b.left, b.right]];",
        arabic[0],
    )
    assert box[1] - first_char[1] < 40  # within the padding and border on the right
    assert first_char[0] - box[0] > 200  # far from the left edge

    ARTIFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height, 6000))
    browser.save_screenshot(str(ARTIFACTS / "hikvision-report.png"))
    browser.set_window_size(1280, 1000)
    assert (ARTIFACTS / "hikvision-report.png").stat().st_size > 50_000


def test_index_links_every_company_page(browser, reports: Path) -> None:
    from selenium.webdriver.common.by import By

    log = _open(browser, reports / "report" / "index.html")
    assert [entry for entry in log if entry["level"] == "SEVERE"] == []
    links = browser.find_elements(By.CSS_SELECTOR, "table a")
    assert len(links) == 15
    assert links[0].text == "Hikvision"  # ranked by gap score
    for link in links:
        assert (reports / "report" / link.get_attribute("href").rsplit("/", 1)[1]).exists()


def test_hostile_text_is_shown_as_text_and_never_runs(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    hostile = (
        '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
        " =cmd|' /C calc'!A0 \u202eevil"
    )
    case = minimal_case()
    case["claims"][0]["quote"] = hostile
    case["claims"][0]["summary"] = '<b onmouseover="window.pwned = 3">bold</b>'
    write_case(tmp_path / "datasets", case)
    build(tmp_path / "datasets", tmp_path / "dist", today=TODAY, gate=False)
    write_reports(tmp_path / "dist" / "saydo.duckdb", tmp_path / "report")
    _open(browser, tmp_path / "report" / "acme.html")
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements(By.CSS_SELECTOR, "blockquote script, blockquote img") == []
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "blockquote")]
    assert any(q.startswith("<script>window.pwned = 1</script>") for q in quotes)
    assert browser.find_elements(By.CSS_SELECTOR, "h3 b") == []
