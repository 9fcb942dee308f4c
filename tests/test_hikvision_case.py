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
            frames[t].select("quote_lang", "quote_en", "quote_en_origin")
            for t in ("claims", "evidence", "responses")
        ]
    )
    arabic = arabic.filter(pl.col("quote_lang") == "ar")
    assert arabic["quote_en"].null_count() == 0
    assert set(arabic["quote_en_origin"]) == {"saydo_translation"}


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
    # "a problem" (Axios) and "problematic" (the Arabic translation).
    assert by_id("axios-review-found-contracts-a-problem")["quote"] == "a problem"
    assert "“problematic”" in by_id("article-knew-since-2020-contracts-problematic")["quote_en"]
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
    for identifier in ("lei", "isin", "stock_ticker", "wikidata_id", "permid"):
        assert hikvision[identifier] is None
    article = frames["sources"].filter(pl.col("source_id") == "hikvision-uyghur-article-ar")
    assert article.row(0, named=True)["published_date"] is None
    assert article.row(0, named=True)["review_status"] == "needs_review"
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
    }
