"""The HTML report in a real headless browser (Debian's chromium, driven by Selenium): what a
reader sees, measured as drawn. Boxes are the browser's own, not the layout's estimates."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, TODAY, minimal_case, write_case
from transforms.build import build
from transforms.exporters.report import CHROMIUM_FLAGS, render_png, write_reports

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
    # The flags the report's own PNG rendering uses (offline, no first-run work), and ours.
    for flag in (
        *CHROMIUM_FLAGS,
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
def reports(real_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    write_reports(real_release / "saydo.duckdb", folder, png=False)
    return folder


@pytest.fixture(scope="module")
def package(real_release: Path):
    con = duckdb.connect(str(real_release / "saydo.duckdb"), read_only=True)
    yield con
    con.close()


def _open(browser, page: Path) -> list[dict]:
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(page.as_uri())
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


# The boxes of every piece of text in an SVG, as the browser drew them, and of every leader.
BOXES = """
const svg = arguments[0];
const box = (e) => { const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom]; };
return {
  labels: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '')
    .map(t => ({text: t.textContent, cls: t.getAttribute('class') || '', box: box(t),
                number: t.closest('g.item') ? t.closest('g.item').dataset.number : null})),
  leaders: [...svg.querySelectorAll('line.leader')]
    .map(l => ({number: l.dataset.number, box: box(l)})),
};
"""


def _overlap(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def _overlapping_text(labels: list[dict]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            # A badge's number sits inside its own circle, beside its own label.
            if a["number"] is not None and a["number"] == b["number"]:
                continue
            if _overlap(a["box"], b["box"]):
                found.append((a["text"], b["text"]))
    return found


def _companies_with_claims(package) -> list[str]:
    return [
        row[0]
        for row in package.execute(
            "select company_id from company_gap where claims > 0 order by company_id"
        ).fetchall()
    ]


def test_no_text_in_any_timeline_or_chart_overlaps_and_leaders_miss_every_label(
    browser, reports: Path, package
) -> None:
    from selenium.webdriver.common.by import By

    checked = 0
    for company_id in _companies_with_claims(package):
        assert _open(browser, reports / f"{company_id}.html") == [], company_id
        for svg in browser.find_elements(By.CSS_SELECTOR, "svg.timeline, svg.score-chart"):
            drawn = browser.execute_script(BOXES, svg)
            assert _overlapping_text(drawn["labels"]) == [], company_id
            words = [t for t in drawn["labels"] if t["cls"] == "label"]
            for leader in drawn["leaders"]:
                x, top, _, bottom = leader["box"]
                for label in words:
                    if label["number"] == leader["number"]:
                        continue
                    left, label_top, right, label_bottom = label["box"]
                    crosses = left + 0.5 < x < right - 0.5 and top < label_bottom - 0.5
                    assert not (crosses and bottom > label_top + 0.5), (
                        company_id,
                        leader["number"],
                        label["text"],
                    )
            checked += 1
    assert checked == 2 * 34  # a timeline and a chart for each of the 34 companies with claims


def test_hikvision_timeline_labels_every_mark_in_date_order(
    browser, reports: Path, package
) -> None:
    from selenium.webdriver.common.by import By

    assert _open(browser, reports / "hikvision.html") == []
    # Nothing was fetched: no stylesheet, font, script or image from anywhere.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    group = (
        "select company_id from companies where company_id = 'hikvision' "
        "or parent_company_id = 'hikvision'"
    )

    def count(sql: str) -> int:
        return package.execute(sql.format(group=group)).fetchall()[0][0]

    items = browser.find_elements(By.CSS_SELECTOR, "svg.timeline g.item")
    kinds = [item.get_attribute("class").split("item-")[1] for item in items]
    # 10 claims by Hikvision itself, in its reports and to the press; none by the affiliates.
    assert (
        kinds.count("claim")
        == count("select count(*) from claims where company_id in ({group})")
        == 10
    )
    assert kinds.count("evidence") == count(
        "select count(*) from evidence where company_id in ({group})"
    )
    assert kinds.count("response") == count(
        "select count(*) from responses where company_id in ({group})"
    )
    numbers = [int(item.get_attribute("data-number")) for item in items]
    assert sorted(numbers) == list(range(1, len(items) + 1))

    marks = []
    for item in items:
        number = item.get_attribute("data-number")
        label = item.find_element(By.CSS_SELECTOR, "text.label").text
        badge = item.find_element(By.CSS_SELECTOR, "text.number").text
        assert label.strip() and badge == number  # every mark carries its number and words
        leader = browser.find_element(By.CSS_SELECTOR, f"line.leader[data-number='{number}']")
        marks.append((float(leader.get_attribute("x1")), int(number), item))
    # Left to right is first to last: the numbers grow with the position of the mark.
    marks.sort(key=lambda m: (m[0], m[1]))
    assert [m[1] for m in marks] == sorted(m[1] for m in marks)

    # A date known to the month is drawn as that month's span, not as its first day.
    month = package.execute(
        "select item_id from timeline where company_id = 'hikvision' "
        "and item_date_precision = 'month' order by item_id limit 1"
    ).fetchall()[0][0]
    day = package.execute(
        "select item_id from timeline where company_id = 'hikvision' "
        "and item_date_precision = 'day' order by item_id limit 1"
    ).fetchall()[0][0]
    spans = {
        item_id: browser.execute_script(
            "const g = document.querySelector(`svg.timeline g.item[data-id='${arguments[0]}']`);"
            "return g.querySelector('.mark').getBBox().width",
            item_id,
        )
        for item_id in (month, day)
    }
    axis = browser.find_element(By.CSS_SELECTOR, "svg.timeline line.axis")
    years = len(browser.find_elements(By.CSS_SELECTOR, "svg.timeline text.year"))
    year_width = (float(axis.get_attribute("x2")) - float(axis.get_attribute("x1"))) / years
    assert year_width / 12 * 0.8 < spans[month] < year_width / 12 * 1.2
    assert spans[day] <= 12  # a point mark

    ARTIFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height, 8000))
    browser.save_screenshot(str(ARTIFACTS / "hikvision-report.png"))
    browser.set_window_size(1280, 1000)
    assert (ARTIFACTS / "hikvision-report.png").stat().st_size > 50_000


def test_claim_cards_explain_their_score(browser, reports: Path, package) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, reports / "hikvision.html")
    claim = "hikvision-xinjiang-review-finding-2021"
    gap, strength = package.execute(
        "select gap_score, contradiction_strength from claim_gap where claim_id = ?", [claim]
    ).fetchall()[0]
    card = browser.find_element(
        By.XPATH, f"//section[contains(@class,'claim')][.//code[text()='{claim}']]"
    )
    formula = card.find_element(By.CSS_SELECTOR, "p.formula").text
    assert formula.startswith(f"gap score {gap:.1f} = 100 × contradiction {strength}")
    # Every scored link shows its factors; the merged ones say which link they were merged into.
    counted = card.find_elements(By.CSS_SELECTOR, "p.counted")
    merged = card.find_elements(By.CSS_SELECTOR, "p.merged")
    links = package.execute(
        "select count(*) filter (where counted), count(*) filter (where not counted) "
        "from link_scores where claim_id = ? and relation <> 'context'",
        [claim],
    ).fetchall()[0]
    assert (len(counted), len(merged)) == links
    assert links[1] >= 1  # the recording IPVM obtained and Axios reported counts once
    for note in merged:
        target = note.find_element(By.TAG_NAME, "a").get_attribute("href").rsplit("#", 1)[1]
        assert browser.find_elements(By.ID, target)
    assert (
        card.find_element(By.LINK_TEXT, "the formula")
        .get_attribute("href")
        .endswith("methodology.html#one-claim")
    )

    # Defects a journalist met: the Arabic source is named with its status, never as a raw id.
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "hikvision-uyghur-article-ar:" not in text
    assert "()" not in text
    arabic_sources = [
        line
        for line in browser.find_elements(By.CSS_SELECTOR, "p.source")
        if "Akhbar Al Aan" in line.text
    ]
    assert len(arabic_sources) >= 10  # the article most of the case rests on
    (rights,) = package.execute(
        "select rights from sources where source_id = 'hikvision-uyghur-article-ar'"
    ).fetchall()[0]
    shown = (rights or "").replace("_", " ") or "rights not recorded"
    assert {line.find_element(By.CLASS_NAME, "rights").text for line in arabic_sources} == {shown}
    for line in arabic_sources:
        status = line.find_element(By.CSS_SELECTOR, "a[class^=review-]")
        assert status.text == "partially verified"
        assert status.get_attribute("class") == "review-partially_verified"
    # Other evidence names which affiliate each line is about.
    other = browser.find_elements(By.CSS_SELECTOR, "#other-evidence + p + table tr")
    affiliates = {
        name
        for (name,) in package.execute(
            "select name from companies where parent_company_id = 'hikvision'"
        ).fetchall()
    }
    named = {row.find_element(By.TAG_NAME, "em").text for row in other}
    assert named and named <= affiliates | {"Hikvision"}
    assert len(named) > 1

    # Right to left: an Arabic quote's first character is drawn at the right edge of its box.
    arabic = browser.find_elements(By.CSS_SELECTOR, "blockquote[lang=ar]")
    assert len(arabic) >= 4
    first_char, box = browser.execute_script(
        "const node = arguments[0].firstChild; const r = document.createRange();"
        "r.setStart(node, 0); r.setEnd(node, 1); const c = r.getBoundingClientRect();"
        "const b = arguments[0].getBoundingClientRect();"
        "return [[c.left, c.right], [b.left, b.right]];",
        arabic[0],
    )
    assert box[1] - first_char[1] < 40  # within the padding and border on the right
    assert first_char[0] - box[0] > 200  # far from the left edge


def test_index_links_every_company_and_explains_its_words(browser, reports: Path, package) -> None:
    from selenium.webdriver.common.by import By

    assert _open(browser, reports / "index.html") == []
    ranked = browser.find_elements(By.CSS_SELECTOR, "table.companies tbody a")
    named_only = browser.find_elements(By.CSS_SELECTOR, "p.named-only a")
    with_claims, without = package.execute(
        "select count(*) filter (where claims > 0), count(*) filter (where claims = 0) "
        "from company_gap"
    ).fetchall()[0]
    assert (len(ranked), len(named_only)) == (with_claims, without) == (34, 94)
    top = package.execute(
        "select company_name from company_gap order by gap_score desc nulls last, company_id "
        "limit 1"
    ).fetchall()[0][0]
    assert ranked[0].text == top  # ranked by gap score
    for link in ranked + named_only:
        assert (reports / link.get_attribute("href").rsplit("/", 1)[1]).exists()
    # Every column heading that is a term links to its meaning on the same page.
    for heading in browser.find_elements(By.CSS_SELECTOR, "table.companies th a"):
        term = heading.get_attribute("href").rsplit("#", 1)[1]
        assert browser.find_element(By.ID, term).tag_name == "dt"
    for term in ("gap-score", "untested", "band", "group-gap-score"):
        assert browser.find_element(By.ID, term).text
    methodology = browser.find_element(By.LINK_TEXT, "How the score is made")
    assert _open(browser, reports / methodology.get_attribute("href").rsplit("/", 1)[1]) == []
    assert browser.find_element(By.ID, "one-claim")


def test_story_png_is_the_svg_drawn_offline(reports: Path, tmp_path: Path) -> None:
    svg = reports / "images" / "hikvision.svg"
    text = svg.read_text(encoding="utf-8")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    png = tmp_path / "hikvision.png"
    render_png(svg, png, CHROMIUM)
    with png.open("rb") as picture:
        header = picture.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    declared = int(text.split('height="', 1)[1].split('"', 1)[0])
    assert (width, height) == (1200, declared)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "hikvision-story.png")


def test_hostile_text_is_shown_as_text_and_never_runs(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    hostile = (
        '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
        " =cmd|' /C calc'!A0 \u202eevil"
    )
    case = minimal_case()
    case["claims"][0]["quote"] = hostile
    case["claims"][0]["summary"] = '<b onmouseover="window.pwned = 3">bold</b> </text><script>'
    write_case(tmp_path / "datasets", case)
    build(tmp_path / "datasets", tmp_path / "dist", today=TODAY, gate=False)
    write_reports(tmp_path / "dist" / "saydo.duckdb", tmp_path / "report", png=False)
    for page in ("acme.html", "images/acme.svg"):
        _open(browser, tmp_path / "report" / page)
        assert browser.execute_script("return window.pwned === undefined"), page
        assert browser.find_elements(By.CSS_SELECTOR, "script, img, b") == [], page
    _open(browser, tmp_path / "report" / "acme.html")
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "blockquote")]
    assert any(q.startswith("<script>window.pwned = 1</script>") for q in quotes)
    assert any("<b onmouseover" in t.text for t in browser.find_elements(By.TAG_NAME, "h3"))
    labels = browser.find_elements(By.CSS_SELECTOR, "svg.timeline text.label")
    assert any(label.text.startswith("<b onmouseover") for label in labels)


def test_dates_known_to_the_year_are_spans_of_the_year(
    browser, built: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    write_reports(built / "saydo.duckdb", tmp_path / "report", png=False)
    _open(browser, tmp_path / "report" / "acme.html")
    # acme-arabic is dated "2023": known to the year only.
    mark = browser.find_element(By.CSS_SELECTOR, "svg.timeline g.item[data-id='acme-arabic'] .mark")
    assert mark.get_attribute("data-span") == "1"
    ticks = {
        int(t.text): float(t.get_attribute("x")) - 3
        for t in browser.find_elements(By.CSS_SELECTOR, "svg.timeline text.year")
    }
    tick_lines = sorted(
        float(line.get_attribute("x1"))
        for line in browser.find_elements(By.CSS_SELECTOR, "svg.timeline line.tick")
    )
    x, width = float(mark.get_attribute("x")), float(mark.get_attribute("width"))
    # The bar covers 2023 from its first day to its last, not 1 January alone.
    assert abs(x - ticks[2023]) < 1
    following = min(t for t in tick_lines if t > ticks[2023] + 1)
    assert abs(x + width - following) < 1
