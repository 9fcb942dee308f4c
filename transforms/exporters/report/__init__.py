"""`saydo report`: static HTML pages, an index and one page per company, from the built package.

Pages load nothing from the network (inline CSS and SVG, no script), so they work offline and
from a file:// address. Every string from the data goes through `esc`, so a quote holding
<script> is shown as text. Quotes are shown in their own direction: Arabic right to left.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path

from schemas.types import format_partial_date
from transforms.exporters.query import _open as open_package

RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku"}
BAND_COLOURS = {
    "severe": "#9b1c1c",
    "high": "#c2410c",
    "moderate": "#b45309",
    "low": "#3f6212",
    "untested": "#52525b",
}
ORIGIN_LABEL = {
    "original": "English original",
    "source_translation": "translation by the source",
    "saydo_translation": "translation by saydo",
}


def esc(value: object) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def direction(lang: str | None) -> str:
    return "rtl" if (lang or "").split("-")[0] in RTL_LANGUAGES else "ltr"


def show_date(value: dt.date | None, precision: str | None) -> str:
    return format_partial_date(value, precision)


def _rows(con, sql: str, parameters: list | None = None) -> list[dict]:
    cursor = con.execute(sql, parameters or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


CSS = """
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans Arabic',sans-serif;
 margin:0 auto;max-width:1080px;padding:1.5rem;color:#18181b}
a{color:#1d4ed8}h1{margin:.2rem 0}h2{margin-top:2.2rem;border-bottom:1px solid #e4e4e7}
.meta{color:#52525b;font-size:.9rem}.badge{display:inline-block;padding:.1rem .6rem;
 border-radius:1rem;color:#fff;font-weight:600;font-size:.9rem}
.score{font-size:2.4rem;font-weight:700;margin-right:.6rem}
blockquote{margin:.6rem 0;padding:.4rem .9rem;border-inline-start:4px solid #a1a1aa;
 background:#fafafa;font-size:1.05rem}
blockquote[dir=rtl]{font-size:1.15rem}.translation{color:#3f3f46;margin:.2rem 0 .6rem}
.claim{border:1px solid #e4e4e7;border-radius:.5rem;padding:.8rem 1rem;margin:1rem 0}
.claim h3{margin:.1rem 0 .3rem}table{border-collapse:collapse;width:100%}
td,th{text-align:start;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #e4e4e7}
.refutes{color:#b91c1c;font-weight:600}.supports{color:#15803d;font-weight:600}
.context{color:#52525b}.retracted{text-decoration:line-through;color:#71717a}
svg text{font:12px system-ui,sans-serif;fill:#3f3f46}.legend span{margin-right:1.2rem}
.note{font-size:.85rem;color:#71717a}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _quote(
    quote: str | None, lang: str | None, english: str | None, origin: str | None, kind: str | None
) -> str:
    if not quote:
        return '<p class="note">No wording is quoted: see the review note.</p>'
    out = (
        f'<blockquote lang="{esc(lang)}" dir="{direction(lang)}" '
        f'data-kind="{esc(kind)}">{esc(quote)}</blockquote>'
    )
    if english and english != quote:
        out += (
            f'<p class="translation" lang="en">{esc(english)} '
            f'<span class="note">({esc(ORIGIN_LABEL.get(origin, origin))})</span></p>'
        )
    return out


def _item_quote(item: dict) -> str:
    """The quote of a timeline item, if it has one."""
    if not item["quote"]:
        return ""
    return _quote(item["quote"], item["quote_lang"], item["quote_en"], None, None)


def _source_links(source: dict | None) -> str:
    if not source:
        return ""
    name = esc(source.get("publisher") or source["source_id"])
    title = f": {esc(source['title'])}" if source.get("title") else ""
    parts = []
    if source.get("url"):
        parts.append(f'<a href="{esc(source["url"])}" rel="noreferrer">{name}{title}</a>')
    else:
        parts.append(f"{name}{title} (no public address recorded)")
    if source.get("archived_url"):
        parts.append(f'<a href="{esc(source["archived_url"])}" rel="noreferrer">archived copy</a>')
    date = show_date(source.get("published_date"), source.get("published_date_precision"))
    return f'Source: {" · ".join(parts)} <span class="note">({esc(date)})</span>'


@dataclass
class Mark:
    kind: str
    item_id: str
    date: dt.date | None
    label: str
    refutes: list[str]
    retracted: bool


def timeline_svg(marks: list[Mark]) -> str:
    """Claims above the date axis, evidence below, responses on it; a line from each refuting
    piece of evidence to the claim it contradicts. Undated items sit in a column at the left."""
    width, axis_y, left, right = 1000, 230, 110, 930
    dated = [m.date for m in marks if m.date is not None]
    start = min(dated) if dated else dt.date(2000, 1, 1)
    end = max(dated) if dated else start
    start = dt.date(start.year, 1, 1)
    end = dt.date(end.year + 1, 1, 1)
    span = max((end - start).days, 1)

    def x_of(mark: Mark) -> float:
        if mark.date is None:
            return 55.0
        return left + (right - left) * (mark.date - start).days / span

    # Marks that would overlap stack in rows, then wrap into a column beside, so a day with
    # fifteen pieces of evidence stays compact.
    rows_per_column, spacing = 5, 15
    lanes: dict[str, list[float]] = {"claim": [], "evidence": [], "response": []}
    positions: dict[str, tuple[float, float]] = {}
    for mark in sorted(marks, key=lambda m: (x_of(m), m.item_id)):
        x = x_of(mark)
        used = lanes[mark.kind]
        lane = next((i for i, last in enumerate(used) if x - last >= spacing), len(used))
        if lane == len(used):
            used.append(x)
        else:
            used[lane] = x
        row, column = lane % rows_per_column, lane // rows_per_column
        x += column * spacing
        step = 18 * row
        y = {
            "claim": axis_y - 40 - step,
            "evidence": axis_y + 40 + step,
            "response": axis_y - 14,
        }[mark.kind]
        positions[f"{mark.kind}:{mark.item_id}"] = (x, y)
    height = axis_y + 60 + 18 * min(max(len(lanes["evidence"]), 1), rows_per_column)
    top = min([y for _, y in positions.values()] + [axis_y - 60]) - 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="Timeline of claims and evidence" viewBox="0 {top:.0f} {width} '
        f'{height - top:.0f}" width="100%">'
    ]
    parts.append(
        f'<line x1="{left - 10}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#71717a"/>'
    )
    for year in range(start.year, end.year + 1):
        x = left + (right - left) * (dt.date(year, 1, 1) - start).days / span
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis_y - 5}" x2="{x:.1f}" '
            f'y2="{axis_y + 5}" stroke="#71717a"/>'
        )
        if year < end.year:  # each year's label sits inside its own span
            parts.append(f'<text x="{x + 3:.1f}" y="{axis_y + 18}">{year}</text>')
    parts.append(
        f'<text x="{left - 10}" y="{top + 16:.0f}">claims ▲</text>'
        f'<text x="{left - 10}" y="{height - 6:.0f}">evidence ▼</text>'
    )
    if any(m.date is None for m in marks):
        parts.append(f'<text x="28" y="{axis_y + 18}">undated</text>')
    for mark in marks:
        if mark.kind != "evidence":
            continue
        x1, y1 = positions[f"evidence:{mark.item_id}"]
        for claim_id in mark.refutes:
            if f"claim:{claim_id}" in positions:
                x2, y2 = positions[f"claim:{claim_id}"]
                parts.append(
                    f'<line class="link-refutes" data-evidence="{esc(mark.item_id)}" '
                    f'data-claim="{esc(claim_id)}" x1="{x1:.1f}" y1="{y1:.1f}" '
                    f'x2="{x2:.1f}" y2="{y2:.1f}" stroke="#dc2626" '
                    f'stroke-opacity=".45"/>'
                )
    for mark in marks:
        x, y = positions[f"{mark.kind}:{mark.item_id}"]
        fill = {
            "claim": "#1d4ed8",
            "evidence": "#b91c1c" if mark.refutes else "#71717a",
            "response": "#7c3aed",
        }[mark.kind]
        opacity = ' fill-opacity=".35"' if mark.retracted else ""
        title = f"<title>{esc(mark.label)}</title>"
        attributes = (
            f'class="mark mark-{mark.kind}" data-kind="{mark.kind}" '
            f'data-id="{esc(mark.item_id)}" fill="{fill}"{opacity}'
        )
        shape = {
            "claim": f'<circle {attributes} cx="{x:.1f}" cy="{y:.1f}" r="7">',
            "evidence": f'<rect {attributes} x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" '
            f'height="12">',
            "response": f'<path {attributes} d="M{x:.1f} {y - 7:.1f} l7 7 l-7 7 l-7 -7 z">',
        }[mark.kind]
        closing = {"claim": "</circle>", "evidence": "</rect>", "response": "</path>"}[mark.kind]
        parts.append(f'<a href="#{esc(mark.kind)}-{esc(mark.item_id)}">{shape}{title}{closing}</a>')
    parts.append("</svg>")
    legend = (
        '<p class="legend note"><span style="color:#1d4ed8">● claim</span>'
        '<span style="color:#b91c1c">■ evidence that refutes a claim (red line to '
        'it)</span><span style="color:#71717a">■ other evidence</span>'
        '<span style="color:#7c3aed">◆ company response</span></p>'
    )
    return "".join(parts) + legend


def _explanation(company: dict) -> str:
    name = esc(company["company_name"])
    claims, tested = company["claims"], company["tested_claims"]
    sentence = (
        f"saydo records {claims} claim{'s' if claims != 1 else ''} by {name}. "
        if claims
        else f"saydo records no claim by {name} itself. "
    )
    if company["gap_score"] is None:
        sentence += (
            "None of its claims is tested by evidence recorded here yet, so it has no "
            "gap score of its own. "
        )
    else:
        sentence += (
            f"Evidence tests {tested} of them, and {company['contradicted_claims']} "
            f"{'is' if company['contradicted_claims'] == 1 else 'are'} contradicted. Its gap "
            f"score is {company['gap_score']:.1f} out of 100 ({esc(company['band'])}): the "
            f"average, over its tested claims, of how strongly the recorded evidence "
            f"contradicts each one. 0 means nothing recorded contradicts a claim; 100 is the "
            f"strongest contradiction the method allows. "
        )
    if company["group_companies"] and company["group_companies"] > 1:
        group = company["group_gap_score"]
        sentence += (
            f"With its {company['group_companies'] - 1} subsidiaries and affiliates, "
            f"the group's figure is "
            f"{'untested' if group is None else f'{group:.1f}'} "
            f"({esc(company['group_band'])}). "
        )
    sentence += (
        "Each claim below shows the evidence behind its score, with links to every "
        "source; the formula and its weights are in the package's methodology."
    )
    return f"<p>{sentence}</p>"


def _descendants(companies: list[dict], root: str) -> list[str]:
    children: dict[str, list[str]] = {}
    for company in companies:
        if company["parent_company_id"]:
            children.setdefault(company["parent_company_id"], []).append(company["company_id"])
    found, queue = [], [root]
    while queue:
        current = queue.pop(0)
        if current in found:
            continue
        found.append(current)
        queue += sorted(children.get(current, []))
    return found


def company_page(
    con, company: dict, companies: list[dict], sources: dict[str, dict], release: dict
) -> str:
    """One company's page. Every query is scoped to the company's group, so a page costs the
    same however large the package is."""
    members = _descendants(companies, company["company_id"])
    items = _rows(
        con,
        "select * from timeline_of(?) order by item_date nulls first, item_kind, item_id",
        [members],
    )
    claims = _rows(
        con,
        "select c.*, g.gap_score, g.status from claims c "
        "join claim_gap_as_of(NULL, companies := ?) g using (claim_id) "
        "order by c.claim_date nulls first, c.claim_id",
        [members],
    )
    retracted_claims = _rows(
        con,
        "select *, null as gap_score, 'retracted' as status from "
        "claims where retracted_on is not null and company_id in "
        "(select unnest(?))",
        [members],
    )
    links = _rows(
        con,
        "select l.*, e.summary, e.quote, e.quote_lang, e.quote_en, "
        "e.quote_en_origin, e.quote_kind, e.evidence_date, "
        "e.evidence_date_precision, e.source_id, e.retracted_on as "
        "evidence_retracted_on from claim_evidence l join evidence e "
        "using (evidence_id) where l.claim_id in (select claim_id from claims "
        "where company_id in (select unnest(?))) "
        "order by case l.relation when 'refutes' then 0 "
        "when 'supports' then 1 else 2 end, e.evidence_date, l.evidence_id",
        [members],
    )
    marks = [
        Mark(
            i["item_kind"],
            i["item_id"],
            i["item_date"],
            f"{show_date(i['item_date'], i['item_date_precision'])}: {i['summary']}",
            list(i["refutes_claim_ids"] or []),
            i["retracted_on"] is not None,
        )
        for i in items
    ]
    colour = BAND_COLOURS.get(company["band"], "#52525b")
    score = "–" if company["gap_score"] is None else f"{company['gap_score']:.1f}"
    body = [
        f'<p class="note"><a href="index.html">All companies</a> · saydo '
        f"{esc(release['version'])}</p>",
        f"<h1>{esc(company['company_name'])}</h1>",
        f'<p><span class="score">{score}</span><span class="badge" '
        f'style="background:{colour}">{esc(company["band"])}</span> '
        f'<span class="note">gap score, 0 to 100</span></p>',
        _explanation(company),
        "<h2>Timeline</h2>",
        timeline_svg(marks),
    ]
    if claims or retracted_claims:
        body.append("<h2>Claims and the evidence behind each</h2>")
    for claim in claims + retracted_claims:
        status = esc(claim["status"])
        body.append(f'<section class="claim" id="claim-{esc(claim["claim_id"])}">')
        body.append(f"<h3>{esc(claim['summary'])}</h3>")
        gap = "" if claim["gap_score"] is None else f" · gap score {claim['gap_score']:.1f}"
        said_on = show_date(claim["claim_date"], claim["claim_date_precision"])
        body.append(
            f'<p class="meta">{esc(said_on)} · '
            f"{esc(claim['claim_type'])} · {esc(claim['topic'])} · <strong>{status}"
            f"</strong>{gap} · <code>{esc(claim['claim_id'])}</code></p>"
        )
        body.append(
            _quote(
                claim["quote"],
                claim["quote_lang"],
                claim["quote_en"],
                claim["quote_en_origin"],
                claim["quote_kind"],
            )
        )
        body.append(f'<p class="meta">{_source_links(sources.get(claim["source_id"]))}</p>')
        body.append(
            f'<p class="note">Review: {esc(claim["review_status"])}'
            f"{'. ' + esc(claim['review_note']) if claim['review_note'] else ''}</p>"
        )
        own = [link for link in links if link["claim_id"] == claim["claim_id"]]
        if own:
            body.append(
                "<table><thead><tr><th>relation</th><th>evidence</th><th>why</th></tr>"
                "</thead><tbody>"
            )
            for link in own:
                retracted = " retracted" if link["evidence_retracted_on"] else ""
                found_on = show_date(link["evidence_date"], link["evidence_date_precision"])
                quote = _quote(
                    link["quote"],
                    link["quote_lang"],
                    link["quote_en"],
                    link["quote_en_origin"],
                    link["quote_kind"],
                )
                body.append(
                    f'<tr id="evidence-{esc(link["evidence_id"])}"><td class="'
                    f'{esc(link["relation"])}">{esc(link["relation"])}<br><span class="note">'
                    f'{esc(link["confidence"])} confidence</span></td><td class="{retracted}">'
                    f"<strong>{esc(found_on)}</strong> {esc(link['summary'])}"
                    f"{quote if link['quote'] else ''}"
                    f'<p class="meta">{_source_links(sources.get(link["source_id"]))}</p></td>'
                    f"<td>{esc(link['rationale'])}</td></tr>"
                )
            body.append("</tbody></table>")
        body.append("</section>")
    linked = {
        link["evidence_id"]
        for link in links
        if link["claim_id"] in {c["claim_id"] for c in claims + retracted_claims}
    }
    other = [i for i in items if i["item_kind"] == "evidence" and i["item_id"] not in linked]
    if other:
        body.append("<h2>Other evidence</h2><table><tbody>")
        for item in other:
            body.append(
                f'<tr id="evidence-{esc(item["item_id"])}"><td><strong>'
                f"{esc(show_date(item['item_date'], item['item_date_precision']))}"
                f"</strong> {esc(item['summary'])}"
                f"{_item_quote(item)}"
                f'<p class="meta">{_source_links(sources.get(item["source_id"]))}'
                f"</p></td></tr>"
            )
        body.append("</tbody></table>")
    responses = [i for i in items if i["item_kind"] == "response"]
    if responses:
        body.append("<h2>Company responses</h2>")
        for item in responses:
            body.append(
                f'<div id="response-{esc(item["item_id"])}" class="claim"><p class='
                f'"meta">{esc(show_date(item["item_date"], item["item_date_precision"]))}'
                f' · {esc(item["item_type"])} to <a href="#claim-'
                f'{esc(item["responds_to_id"])}">{esc(item["responds_to_id"])}</a>'
                f"</p><p>{esc(item['summary'])}</p>"
                f"{_quote(item['quote'], item['quote_lang'], item['quote_en'], None, None)}"
                f'<p class="meta">{_source_links(sources.get(item["source_id"]))}</p>'
                f"</div>"
            )
    body.append(
        f'<p class="note">Scoring method {esc(company["method_version"])}, weights '
        f"{esc(company['weights_fingerprint'][:12])}. Data as of "
        f"{esc(release['data_date'])}.</p>"
    )
    return _page(f"{company['company_name']}: saydo", "".join(body))


def index_page(companies: list[dict], release: dict) -> str:
    rows = []
    for company in companies:
        score = "–" if company["gap_score"] is None else f"{company['gap_score']:.1f}"
        group = "–" if company["group_gap_score"] is None else f"{company['group_gap_score']:.1f}"
        rows.append(
            f'<tr><td><a href="{esc(company["company_id"])}.html">'
            f"{esc(company['company_name'])}</a></td><td>{company['claims']}</td>"
            f"<td>{company['contradicted_claims']}</td><td>{score}</td>"
            f"<td>{esc(company['band'])}</td><td>{group}</td></tr>"
        )
    body = (
        f"<h1>saydo: what companies say, beside what is documented</h1>"
        f'<p class="meta">Release {esc(release["version"])}, data as of '
        f"{esc(release['data_date'])}. Companies ranked by the gap between their claims "
        f"and the recorded evidence, 0 to 100.</p>"
        "<table><thead><tr><th>company</th><th>claims</th><th>contradicted</th>"
        "<th>gap score</th><th>band</th><th>group gap score</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return _page("saydo: companies", body)


def write_reports(db: Path, out: Path) -> list[Path]:
    con = open_package(db)
    try:
        manifest_path = db.parent / "manifest.json"
        release = (
            json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest_path.exists()
            else {"version": "unreleased", "data_date": "?"}
        )
        companies = _rows(con, "select * from company_gap")
        sources = {s["source_id"]: s for s in _rows(con, "select * from sources")}
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "index.html"]
        (out / "index.html").write_text(index_page(companies, release), encoding="utf-8")
        for company in companies:
            page = out / f"{company['company_id']}.html"
            page.write_text(
                company_page(con, company, companies, sources, release), encoding="utf-8"
            )
            written.append(page)
    finally:
        con.close()
    return written
