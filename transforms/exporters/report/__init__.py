"""`saydo report`: static HTML pages from the built package, for a reader on deadline.

- `index.html`: every company with its score, and every term the report uses, explained;
- `<company>.html`: the timeline (two labelled lanes), the score over time, and a card per claim
  that explains its score: each piece of evidence with its weights, its strength, and whether it
  counted or was merged into another resting on the same primary material;
- `methodology.html`: docs/methodology.md, linked from every score;
- `images/<company>.svg` and `.png`: the timeline and the score chart as one picture with the
  release and data date printed on it, ready to embed in a story.

Pages load nothing from the network (inline CSS and SVG, no script), so they work offline and
from a file:// address. Every value from the data is escaped by the templates (Jinja2 with
autoescape), so a quote holding <script> is shown as text. Quotes keep their own direction:
Arabic is right to left."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from schemas.registry import FIELDS
from schemas.types import format_partial_date
from schemas.views import BANDS, CLAIM_WORDINGS, RELAYS, STATUSES
from transforms.db import dict_rows
from transforms.exporters.query import _open as open_package
from transforms.exporters.report.chart import Point, quarter_end, quarters, score_chart_svg
from transforms.exporters.report.timeline import (
    FONT,
    Item,
    anchor_moment,
    esc,
    short_title,
    timeline_svg,
)

TEMPLATES = Path(__file__).parent / "templates"
METHODOLOGY = Path(__file__).resolve().parents[3] / "docs" / "methodology.md"
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku"}
ORIGIN_LABEL = {
    "original": "",
    "source_translation": "translation by the source",
    "saydo_translation": "translation by saydo",
    "saydo_back_translation": "saydo's back-translation: not the speaker's words",
}
KIND_LABEL = {
    "verbatim": "verbatim",
    "translation": "a translation of the speaker's words",
    "back_translation": "back-translated: not the speaker's words",
    "headline": "a publication's headline, not the speaker's words",
    "paraphrase": "the source's words, not the speaker's",
}
BAND_COLOURS = {
    "severe": "#9b1c1c",
    "high": "#c2410c",
    "moderate": "#b45309",
    "low": "#3f6212",
    "untested": "#52525b",
}


def direction(lang: str | None) -> str:
    return "rtl" if (lang or "").split("-")[0] in RTL_LANGUAGES else "ltr"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = lambda value, precision: format_partial_date(value, precision)
    env.filters["direction"] = direction
    env.filters["score"] = lambda value: "–" if value is None else f"{value:.1f}"
    env.filters["weight"] = lambda value: "–" if value is None else f"{value:g}"
    env.filters["words"] = lambda value: "" if value is None else str(value).replace("_", " ")
    env.globals |= {
        "band_colours": BAND_COLOURS,
        "kind_label": KIND_LABEL,
        "origin_label": ORIGIN_LABEL,
        "statuses": STATUSES,
        "bands": BANDS,
        "review_statuses": FIELDS["review_status"].enum,
        "wordings": CLAIM_WORDINGS,
        "relays": RELAYS,
    }
    return env


# --- the data of a company's page ----------------------------------------------------------------
@dataclass
class Evidence:
    number: int
    link: dict  # the link_scores row, with the link's rationale
    evidence: dict
    merged_into_number: int | None
    anchor: bool = False  # its first row on the page, where its number links to


@dataclass
class Claim:
    number: int | None
    row: dict  # claims columns with its claim_gap figures
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Page:
    company: dict
    members: list[dict]
    items: list[dict]
    claims: list[Claim]
    other_evidence: list[dict]
    responses: list[dict]
    timeline: Markup
    chart: Markup
    image: str


def _members(con: duckdb.DuckDBPyConnection, root: str) -> list[str]:
    """The company and every company below it (the package's company_group_members), it first."""
    return [
        row[0]
        for row in con.execute(
            "select member_company_id from company_group_members('companies', roots := [$root]) "
            "order by member_company_id = $root desc, member_company_id",
            {"root": root},
        ).fetchall()
    ]


KIND_ORDER = {"claim": 0, "evidence": 1, "response": 2}


def number_items(items: list[dict]) -> list[dict]:
    """Number the timeline's items in the order they are drawn, left to right (undated last): a
    date known only to its month or year sits in the middle of its span. The same numbers label
    the marks and the cards."""

    ordered = sorted(
        items,
        key=lambda i: (
            i["item_date"] is None,
            anchor_moment(i["item_date"], i["item_date_precision"]) or dt.datetime.min,
            KIND_ORDER[i["item_kind"]],
            i["item_id"],
        ),
    )
    for number, item in enumerate(ordered, 1):
        item["number"] = number
    return ordered


def company_page(con, company: dict, companies: list[dict], release: dict) -> Page:
    members = _members(con, company["company_id"])
    names = {c["company_id"]: c["company_name"] for c in companies}
    items = number_items(
        dict_rows(con, "select * from timeline where company_id in (select unnest(?))", [members])
    )
    number_of = {(i["item_kind"], i["item_id"]): i["number"] for i in items}
    gaps = {
        c["claim_id"]: c
        for c in dict_rows(
            con, "select * from claim_gap where company_id in (select unnest(?))", [members]
        )
    }
    claim_rows = dict_rows(
        con,
        "select * from claims where company_id in (select unnest(?)) "
        "order by claim_date nulls last, claim_id",
        [members],
    )
    links = dict_rows(
        con,
        """select score.*, link.rationale, link.retracted_on as link_retracted_on
           from link_scores as score
           join claim_evidence as link using (claim_id, evidence_id)
           where score.company_id in (select unnest(?))
           order by case score.relation when 'refutes' then 0 when 'supports' then 1 else 2 end,
                    score.counted_strength desc, score.strength desc, score.evidence_id""",
        [members],
    )
    evidence_ids = sorted({link["evidence_id"] for link in links})
    evidence = {
        e["evidence_id"]: e
        for e in dict_rows(
            con,
            "select * from evidence where evidence_id in (select unnest(?))",
            [evidence_ids],
        )
    }
    claims, anchored = [], set()
    for row in claim_rows:
        claim = Claim(
            number_of.get(("claim", row["claim_id"])), {**row, **gaps.get(row["claim_id"], {})}
        )
        for link in links:
            if link["claim_id"] != row["claim_id"]:
                continue
            merged = link["merged_into"]
            claim.evidence.append(
                Evidence(
                    number_of.get(("evidence", link["evidence_id"]), 0),
                    link,
                    evidence[link["evidence_id"]],
                    number_of.get(("evidence", merged)) if merged else None,
                    link["evidence_id"] not in anchored,
                )
            )
            anchored.add(link["evidence_id"])
        claims.append(claim)
    linked = {link["evidence_id"] for link in links}
    other = [
        {**i, "company_name": names.get(i["company_id"], i["company_id"])}
        for i in items
        if i["item_kind"] == "evidence" and i["item_id"] not in linked
    ]
    response_rows = {
        r["response_id"]: r
        for r in dict_rows(
            con, "select * from responses where company_id in (select unnest(?))", [members]
        )
    }
    responses = [
        {**i, **response_rows.get(i["item_id"], {}), "number": i["number"]}
        for i in items
        if i["item_kind"] == "response"
    ]
    timeline = timeline_svg(_timeline_items(items), company["company_name"])
    chart = score_chart_svg(score_points(con, company, items), company["company_name"])
    return Page(
        company,
        [{"company_id": m, "company_name": names.get(m, m)} for m in members],
        items,
        claims,
        other,
        responses,
        Markup(timeline),
        Markup(chart),
        f"images/{company['company_id']}.svg",
    )


def _timeline_items(items: list[dict]) -> list[Item]:
    claim_numbers = {i["item_id"]: i["number"] for i in items if i["item_kind"] == "claim"}
    return [
        Item(
            number=i["number"],
            kind=i["item_kind"],
            item_id=i["item_id"],
            date=i["item_date"],
            precision=i["item_date_precision"],
            title=short_title(i["summary"]),
            refutes=sorted(
                claim_numbers[c] for c in (i["refutes_claim_ids"] or []) if c in claim_numbers
            ),
            retracted=i["retracted_on"] is not None,
        )
        for i in items
    ]


def score_points(con, company: dict, items: list[dict]) -> list[Point]:
    """The company's own gap score at the end of each quarter on the published clock, from
    the quarter its first claim became public to the data date; computed on the days something
    became public, carried to the quarters' ends."""
    if company["tested_claims"] == 0:
        return []
    company_id = company["company_id"]
    days = sorted(
        {
            row[0]
            for row in con.execute(
                """select public_from from claims
                   where company_id = ? and retracted_on is null and public_from is not null
                   union
                   select link.public_from from claim_evidence as link
                   join claims using (claim_id)
                   where claims.company_id = ? and link.retracted_on is null
                     and link.public_from is not null""",
                [company_id, company_id],
            ).fetchall()
        }
    )
    data_date = con.execute("select max(data_date) from releases").fetchall()[0][0]
    days = [d for d in days if d <= data_date]
    if not days:
        return []
    scores: dict[dt.date, float | None] = {}
    for day in days:
        try:
            row = con.execute(
                "select gap_score from company_gap_as_of(?, companies := [?])", [day, company_id]
            ).fetchall()
            scores[day] = row[0][0] if row else None
        except duckdb.InvalidInputException:
            scores[day] = None  # nothing of the company's was public yet
    public = _public_numbers(con, company_id, items)
    points, previous, known = [], None, None
    for quarter in quarters(days[0], data_date):
        for day in days:
            if day <= quarter:
                known = scores[day]
        moved = []
        if known != previous:
            moved = sorted(n for n, day in public.items() if quarter_end(day) == quarter)
        points.append(Point(quarter, known, moved))
        previous = known
    return points


def _public_numbers(con, company_id: str, items: list[dict]) -> dict[int, dt.date]:
    """The timeline numbers of the company's claims and of the evidence linked to them, with the
    day each became public."""
    rows = con.execute(
        """select 'claim', claim_id, public_from from claims where company_id = ?
           union all
           select 'evidence', evidence.evidence_id, evidence.public_from from evidence
           where evidence_id in (select evidence_id from claim_evidence join claims
                                 using (claim_id) where claims.company_id = ?)""",
        [company_id, company_id],
    ).fetchall()
    number_of = {(i["item_kind"], i["item_id"]): i["number"] for i in items}
    return {
        number_of[(kind, item_id)]: day
        for kind, item_id, day in rows
        if day is not None and (kind, item_id) in number_of
    }


# --- writing -----------------------------------------------------------------------------------
def release_of(con) -> dict:
    version, data_date = con.execute(
        "select release, data_date from releases order by data_date desc, release desc limit 1"
    ).fetchall()[0]
    return {"version": version, "data_date": data_date.isoformat()}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def methodology_html() -> Markup:
    """docs/methodology.md as HTML, each heading with an id to link to."""
    from markdown_it import MarkdownIt

    if not METHODOLOGY.is_file():
        return Markup("<p>The methodology is in docs/methodology.md of the saydo repository.</p>")
    text = METHODOLOGY.read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return Markup(
        re.sub(
            r"<h([1-4])>(.*?)</h\1>",
            lambda m: f'<h{m[1]} id="{_slug(re.sub("<[^>]+>", "", m[2]))}">{m[2]}</h{m[1]}>',
            rendered,
        )
    )


def story_image(page: Page, release: dict) -> str:
    """The timeline and the score chart as one SVG, with the release printed on it."""
    timeline = str(page.timeline)
    chart = str(page.chart)
    height_of = [int(re.search(r'height="(\d+)"', svg)[1]) for svg in (timeline, chart)]
    header = 56
    total = header + sum(height_of) + 30
    name = page.company["company_name"]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 {total}" width="1200" '
            f'height="{total}" font-family="{esc(FONT)}">',
            f'<rect width="1200" height="{total}" fill="#ffffff"/>',
            f'<text x="24" y="30" font-size="20" font-weight="700" fill="#18181b">'
            f"{esc(name)}: what it said, and what is documented</text>",
            f'<text x="24" y="48" font-size="12" fill="#52525b">saydo {esc(release["version"])}'
            f", data as of {esc(release['data_date'])}. Gap score "
            f"{'untested' if page.company['gap_score'] is None else page.company['gap_score']}"
            f" ({esc(page.company['band'])}), method {esc(page.company['method_version'])}."
            f"</text>",
            f'<svg y="{header}">{timeline}</svg>',
            f'<svg y="{header + height_of[0]}">{chart}</svg>',
            f'<text x="24" y="{total - 10}" font-size="11" fill="#52525b">Every item cites its '
            f"source in the saydo data package; the method and its weights are documented "
            f"with it.</text>",
            "</svg>",
        ]
    )


CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def render_png(svg: Path, png: Path, browser: str) -> None:
    """The SVG as a PNG, drawn by headless Chromium from the local file (no network)."""
    height = int(re.search(r'height="(\d+)"', svg.read_text(encoding="utf-8"))[1])
    with tempfile.TemporaryDirectory(prefix="saydo-png-") as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size=1200,{height}",
                f"--screenshot={png}",
                svg.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def page_globals(con, release: dict) -> dict:
    """What every page reads beside its own data: the release, and each source with the
    review status it counts with."""
    return {
        "release": release,
        "sources": {s["source_id"]: s for s in dict_rows(con, "select * from sources")},
        # A source is as checked as the weakest source it rests on (as the build judges).
        "source_status": dict(
            con.execute(
                "select source_id, review_status_of_rank(floor_rank) from source_floor('sources')"
            ).fetchall()
        ),
    }


@dataclass
class Written:
    pages: list[Path]
    images: list[Path]
    note: str = ""


def write_reports(db: Path, out: Path, png: bool = True) -> Written:
    env = environment()
    con = open_package(db)
    try:
        release = release_of(con)
        companies = dict_rows(con, "select * from company_gap")
        env.globals |= page_globals(con, release)
        out.mkdir(parents=True, exist_ok=True)
        (out / "images").mkdir(exist_ok=True)
        pages = [out / "index.html", out / "methodology.html"]
        pages[0].write_text(
            env.get_template("index.html").render(companies=companies), encoding="utf-8"
        )
        pages[1].write_text(
            env.get_template("methodology.html").render(body=methodology_html()),
            encoding="utf-8",
        )
        svgs, stories = [], []
        for company in companies:
            page = company_page(con, company, companies, release)
            target = out / f"{company['company_id']}.html"
            target.write_text(env.get_template("company.html").render(page=page), encoding="utf-8")
            pages.append(target)
            svg = out / page.image
            svg.write_text(story_image(page, release), encoding="utf-8")
            svgs.append(svg)
            if company["claims"]:
                stories.append(svg)
    finally:
        con.close()
    images, note = list(svgs), ""
    browser = chromium() if png else None
    if png and browser is None:
        note = "PNG images skipped: no chromium found (apt-get install chromium)."
    elif browser:
        # A picture for each company with claims (a story's subject), two browsers at a time.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [pool.submit(render_png, s, s.with_suffix(".png"), browser) for s in stories]
            for job in jobs:
                job.result()
        images += [svg.with_suffix(".png") for svg in stories]
    return Written(pages, images, note)
