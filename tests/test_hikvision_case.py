"""The Hikvision case against its seed material: quotes are verbatim, every source in the
dossier is present, and the conflicts the dossier names are kept visible, not resolved."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
import pytest

from tests.conftest import REPO, SHARED, load

ARTICLE = SHARED / "seeds" / "hikvision-uyghur-article.ar.txt"
DOSSIER = SHARED / "seeds" / "hikvision-sources.md"
ARABIC = re.compile("[\u0600-\u06ff]")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    loaded = load(REPO / "datasets")
    assert loaded.problems == []
    # The case file, and the FCC list's own source record, which lives with its adapter.
    return {
        name: frame.filter(pl.col("case_id").is_in(["hikvision-uyghurs", "feed:fcc-covered-list"]))
        for name, frame in loaded.frames.items()
    }


@pytest.mark.skipif(not ARTICLE.exists(), reason="seed article not beside the repo")
def test_every_arabic_quote_is_verbatim_from_the_article(frames) -> None:
    article = _squash(ARTICLE.read_text(encoding="utf-8"))
    checked = 0
    for table in ("claims", "evidence", "responses"):
        for quote in frames[table].filter(pl.col("quote_lang") == "ar")["quote"]:
            assert _squash(quote) in article, quote
            checked += 1
    assert checked >= 12


@pytest.mark.skipif(not DOSSIER.exists(), reason="dossier not beside the repo")
def test_every_dossier_source_is_a_source_row(frames) -> None:
    dossier = DOSSIER.read_text(encoding="utf-8")
    suggested = set(re.findall(r"^\| ([a-z0-9-]+) \|", dossier, flags=re.MULTILINE))
    suggested.discard("id")
    assert len(suggested) == 18
    assert suggested <= set(frames["sources"]["source_id"])


def test_arabic_rows_carry_a_translation_and_say_whose(frames) -> None:
    arabic = pl.concat(
        [
            frames[t].select("quote_lang", "quote_en", "quote_en_origin", pl.col(key).alias("id"))
            for t, key in (("claims", "claim_id"), ("evidence", "evidence_id"))
        ]
        + [
            frames["responses"].select(
                "quote_lang", "quote_en", "quote_en_origin", pl.col("response_id").alias("id")
            )
        ]
    )
    arabic = arabic.filter(pl.col("quote_lang") == "ar")
    assert arabic["quote_en"].null_count() == 0
    # saydo translated every Arabic quote; the denial's Arabic is the article's translation of
    # Axios's English, so saydo's English for it is a back-translation (editor's read).
    origins = dict(zip(arabic["id"], arabic["quote_en_origin"], strict=True))
    assert {i for i, o in origins.items() if o != "saydo_translation"} == {
        "hikvision-denies-complicity-uyghur-abuses"
    }
    assert origins["hikvision-denies-complicity-uyghur-abuses"] == "saydo_back_translation"


def test_conflicts_are_kept_as_each_source_says(frames) -> None:
    evidence = frames["evidence"]

    def by_id(evidence_id: str) -> dict:
        return evidence.filter(pl.col("evidence_id") == evidence_id).row(0, named=True)

    # Hiring month: January 2019 (article) and May 2019 (IPVM), both present.
    january = by_id("article-prosper-hired-january-2019")
    may = by_id("ipvm-prosper-hired-may-2019")
    assert (january["evidence_date"].month, january["evidence_date_precision"]) == (1, "month")
    assert (may["evidence_date"].month, may["evidence_date_precision"]) == (5, "month")
    # Name order: Richard-Pierre (Axios, the article) and Pierre-Richard (IPVM, Hikvision).
    assert "Richard-Pierre Prosper" in january["quote_en"]
    assert (
        "Pierre-Richard Prosper"
        in by_id("ipvm-attorney-admits-contracts-target-uyghurs")["summary"]
    )
    # "a problem" (Axios) and the Arabic مشكلة, first read as "problematic": the conflict was
    # one of translation, and the row says so.
    assert by_id("axios-review-found-contracts-a-problem")["quote"] == "a problem"
    article = by_id("article-knew-since-2020-contracts-problematic")
    assert "“a problem”" in article["quote_en"] and "مشكلة" in article["quote"]
    assert "one of translation" in article["review_note"]
    # Four or five affiliates.
    assert "five Hikvision affiliates" in by_id("article-five-affiliates-added")["quote_en"]
    assert "four, not five" in by_id("secondary-four-affiliates-not-five")["summary"]
    # The conference date: "On March 15" (IPVM) and "last month" (the article).
    assert by_id("ipvm-conference-on-march-15")["quote"] == "On March 15"
    assert "last month" in by_id("article-conference-last-month")["quote_en"]


def test_affiliates_named_in_march_2023_have_hikvision_as_parent(frames) -> None:
    affiliates = frames["companies"].filter(pl.col("parent_company_id") == "hikvision")
    assert affiliates.height == 5
    assert set(affiliates["parent_relationship"]) == {"affiliate"}
    assert set(affiliates["review_status"]) == {"secondary_only"}


def test_nothing_unsourced_is_filled(frames) -> None:
    hikvision = frames["companies"].filter(pl.col("company_id") == "hikvision").row(0, named=True)
    assert hikvision["country"] == "CN"
    # The article's address and date were found in a stored copy; its date comes from the
    # address, which the row says, and it is read only in part.
    article = frames["sources"].filter(pl.col("source_id") == "hikvision-uyghur-article-ar")
    article = article.row(0, named=True)
    assert article["url"].startswith("https://stg.akhbaralaan.net/news/world/2023/04/18/")
    assert (article["published_date"].isoformat(), article["review_status"]) == (
        "2023-04-18",
        "partially_verified",
    )
    assert "address" in article["review_note"]
    # The recording nobody at saydo heard is a source, known only second-hand, and undated.
    recording = frames["sources"].filter(pl.col("source_id") == "prosper-esg-conference-recording")
    recording = recording.row(0, named=True)
    assert (recording["review_status"], recording["published_date"], recording["source_lang"]) == (
        "secondary_only",
        None,
        "und",
    )
    # Rows without a quote say why.
    for table in ("claims", "evidence"):
        unquoted = frames[table].filter(pl.col("quote").is_null())
        assert unquoted["review_note"].null_count() == 0


def test_every_claim_is_linked_and_contradicted_claims_have_reasons(frames) -> None:
    links = frames["claim_evidence"]
    assert set(frames["claims"]["claim_id"]) == set(links["claim_id"])
    refuted = set(links.filter(pl.col("relation") == "refutes")["claim_id"])
    assert refuted == {
        "hikvision-denies-complicity-uyghur-abuses",
        "hikvision-entity-list-statement-2019-10-08",
        "hikvision-xinjiang-review-finding-2021",
        "hikvision-investigator-as-proof-of-compliance",
        "hikvision-respects-human-rights-2021-08-10",
    }


def test_the_fact_checks_findings_stay_fixed(frames) -> None:
    """Release 1.1.0's corrections (issue 12): a few of the findings, checked on the rows."""
    links = frames["claim_evidence"]

    def link(claim_id: str, evidence_id: str) -> dict:
        return links.filter(
            (pl.col("claim_id") == claim_id) & (pl.col("evidence_id") == evidence_id)
        ).row(0, named=True)

    # Finding 3: the liability-and-exposure link said more than the article.
    purpose = link(
        "hikvision-investigator-as-proof-of-compliance", "article-review-purpose-liability-exposure"
    )
    assert purpose["relation"] == "context"
    assert "human rights standards" not in purpose["rationale"]
    # Finding 4: a link whose rationale says "bears on" is context.
    assert (
        link("hikvision-entity-list-statement-2019-10-08", "ipvm-minority-analytics-2018")[
            "relation"
        ]
        == "context"
    )
    # Finding 5: IPVM, Axios and the article rest on one recording.
    evidence = frames["evidence"]
    on_recording = evidence.filter(
        pl.col("primary_source_id") == "prosper-esg-conference-recording"
    )
    assert set(on_recording["evidence_id"]) >= {
        "ipvm-attorney-admits-contracts-target-uyghurs",
        "axios-review-found-contracts-a-problem",
        "article-knew-since-2020-contracts-problematic",
    }
    # Finding 9: statements made "repeatedly" are undated.
    claims = frames["claims"]
    undated = set(claims.filter(pl.col("claim_date").is_null())["claim_id"])
    assert undated >= {
        "hikvision-denies-complicity-uyghur-abuses",
        "hikvision-investigator-as-proof-of-compliance",
    }
    # Finding 11: the review finding is Hikvision's English, verbatim, not a back-translation.
    finding = claims.filter(pl.col("claim_id") == "hikvision-xinjiang-review-finding-2021")
    finding = finding.row(0, named=True)
    assert (finding["quote_lang"], finding["quote_kind"]) == ("en", "verbatim")
    assert "willful disregard" in finding["quote"]
    # Finding 20: headlines are headlines, and no high link rests on one.
    headlines = set(evidence.filter(pl.col("quote_kind") == "headline")["evidence_id"])
    assert "ipvm-cameras-covering-camps-2019" in headlines
    high = links.filter(
        (pl.col("confidence") == "high") & pl.col("relation").is_in(["refutes", "supports"])
    )
    assert not set(high["evidence_id"]) & headlines
