-- timeline_unchecked(companies, as_of, clock): timeline_from_records without the checks of
-- its arguments (see link_scores_unchecked), for timeline_of and the build, which stores the
-- current story from it.
create or replace macro timeline_unchecked(companies, as_of, clock) as table
with

-- import ------------------------------------------------------------------------------------
-- The groups and sources as they stand now; on a date, on the released clock, as released then
-- (the published clock reads every record as the package knows it today).
companies_to_walk as (
    select company_id, parent_company_id from main.companies where as_of is null
    union all
    select company_id, parent_company_id
    from known_rows('companies', released_as_of(as_of, clock), clock)
    where as_of is not null
),

group_tops as (
    select * from company_group_top('companies_to_walk')
),

known_sources as (
    select source_id, publisher, title, url, archived_url from main.sources where as_of is null
    union all
    select source_id, publisher, title, url, archived_url
    from known_rows('sources', released_as_of(as_of, clock), clock)
    where as_of is not null
),

-- The current story keeps retracted items; a story on a date holds what was known then.
wanted_claims as (
    select * from story_rows('claims', as_of, companies, clock)
),

wanted_evidence as (
    select * from story_rows('evidence', as_of, companies, clock)
),

wanted_responses as (
    select * from story_rows('responses', as_of, companies, clock)
),

-- The claims and evidence known on a date, on the clock asked for (the same as claim_gap_as_of
-- counts); empty for the current story, which names every current one, retracted ones marked.
-- Kept to the date's story: at ten million claims two lists of every id held the build's
-- scoring past its memory.
known_claim_ids as (
    select claim_id from known_rows('claims', as_of, clock)
    where as_of is not null and (clock != 'published' or public_from <= as_of)
),

known_evidence_ids as (
    select evidence_id from known_rows('evidence', as_of, clock)
    where as_of is not null and (clock != 'published' or public_from <= as_of)
),

-- The refutations a story names: every current link now; on a date, the links known then
-- between a claim and a piece of evidence both known then.
refutations as (
    select claim_id, evidence_id from main.claim_evidence
    where relation = 'refutes' and as_of is null
      and evidence_id in (select evidence_id from main.evidence)
    union all
    select claim_id, evidence_id from known_rows('claim_evidence', as_of, clock)
    where relation = 'refutes' and as_of is not null
      and (clock != 'published' or public_from <= as_of)
      and claim_id in (select claim_id from known_claim_ids)
      and evidence_id in (select evidence_id from known_evidence_ids)
),

refuted_by as (
    select claim_id, list(evidence_id order by evidence_id) as evidence_ids
    from refutations
    where claim_id in (select claim_id from wanted_claims)
    group by claim_id
),

refutes as (
    select evidence_id, list(claim_id order by claim_id) as claim_ids
    from refutations
    where evidence_id in (select evidence_id from wanted_evidence)
    group by evidence_id
),

-- logic -------------------------------------------------------------------------------------
claim_items as (
    select
        claim.company_id, claim.claim_date as item_date,
        claim.claim_date_precision as item_date_precision, 'claim' as item_kind,
        claim.claim_id as item_id, claim.claim_type as item_type, claim.summary,
        claim.quote, claim.quote_lang, claim.quote_en, claim.quote_kind,
        []::varchar[] as refutes_claim_ids,
        coalesce(refuted_by.evidence_ids, []) as refuted_by_evidence_ids,
        null::varchar as responds_to_id,
        claim.review_status, claim.effective_review_status, claim.retracted_on, claim.source_id
    from wanted_claims as claim
    left join refuted_by using (claim_id)
),

evidence_items as (
    select
        evidence.company_id, evidence.evidence_date, evidence.evidence_date_precision,
        'evidence', evidence.evidence_id, evidence.evidence_type, evidence.summary,
        evidence.quote, evidence.quote_lang, evidence.quote_en, evidence.quote_kind,
        coalesce(refutes.claim_ids, []),
        []::varchar[],
        null::varchar,
        evidence.review_status, evidence.effective_review_status, evidence.retracted_on,
        evidence.source_id
    from wanted_evidence as evidence
    left join refutes using (evidence_id)
),

response_items as (
    select
        response.company_id, response.response_date, response.response_date_precision,
        'response', response.response_id, response.response_type, response.summary,
        response.quote, response.quote_lang, response.quote_en, response.quote_kind,
        []::varchar[], []::varchar[],
        -- On a date, a response names what it answers only once that is known too.
        case
            when as_of is null then coalesce(response.claim_id, response.evidence_id)
            when response.claim_id is not null
                then case when response.claim_id in (select claim_id from known_claim_ids)
                          then response.claim_id end
            when response.evidence_id in (select evidence_id from known_evidence_ids)
                then response.evidence_id
        end,
        response.review_status, response.effective_review_status, response.retracted_on,
        response.source_id
    from wanted_responses as response
),

items as (
    select * from claim_items
    union all select * from evidence_items
    union all select * from response_items
),

computed as (
    select
        item.company_id,
        group_tops.group_company_id,
        item.item_date,
        item.item_date_precision,
        item.item_kind,
        item.item_id,
        item.item_type,
        item.summary,
        item.quote,
        item.quote_lang,
        item.quote_en,
        item.quote_kind,
        item.refutes_claim_ids,
        item.refuted_by_evidence_ids,
        item.responds_to_id,
        item.review_status,
        -- On a date on the released clock, as the release then current gave it.
        coalesce(released.effective_review_status, item.effective_review_status)
            as effective_review_status,
        item.retracted_on,
        item.source_id,
        source.publisher as source_publisher,
        source.title as source_title,
        source.url as source_url,
        source.archived_url as source_archived_url
    from items as item
    left join group_tops using (company_id)
    left join known_sources as source using (source_id)
    left join released_review(NULL, as_of, clock) as released
        on released.record_id = item.item_id
       and released.table_name = case item.item_kind when 'claim' then 'claims'
                                                     when 'evidence' then 'evidence'
                                                     when 'response' then 'responses' end
),

final as (
    select * from computed
)

select * from final;

-- timeline_from_records(companies, as_of := NULL, clock := 'published'): timeline_of told from
-- the records, for any as_of, a column of another table or a subquery included (the live
-- timeline of `saydo query --what-if` reads it).
create or replace macro timeline_from_records(companies, as_of := NULL, clock := 'published') as table
select answer.* from timeline_unchecked(companies, as_of, clock) as answer,
    checked_arguments(clock, companies) as asked
where asked.ok;

-- timeline_of(companies, as_of := NULL, clock := 'published'): every claim, piece of evidence
-- and response of the companies listed (NULL: all) with its source, for reading a case as a
-- story; on a date, only what was known then. Retracted items stay in the current story,
-- marked. The timeline view is timeline_of(NULL); filter it on group_company_id to read a
-- parent with its subsidiaries and affiliates. as_of is a value known before the query runs
-- (a date, current_date, getvariable(...), a parameter or NULL); for a date from another
-- table's column or a subquery, timeline_from_records takes the same arguments.
create or replace macro timeline_of(companies, as_of := NULL, clock := 'published') as table
with

-- import ------------------------------------------------------------------------------------
-- The current story is stored at build time (it does not depend on the weights), sorted by
-- company; a story on a date is told from the records.
current_story as (
    select stored.* exclude (company_key)
    from internal.timeline_stored as stored
    join listed_company_keys(companies) using (company_key)
),

story_on_date as (
    select * from timeline_unchecked(companies, as_of, clock)
),

-- logic -------------------------------------------------------------------------------------
-- DuckDB plans only the CTE query_table names, and the name is settled before planning, from
-- as_of alone: the current story is read without planning how a story is told from the
-- records (19 ms at any size, where the read takes 5). The price: as_of cannot be a subquery
-- or another table's column here.
final as (
    select * from query_table(case when as_of is null then 'current_story'
                                   else 'story_on_date' end)
)

select final.* from final, checked_arguments(clock, companies) as asked
where asked.ok;
