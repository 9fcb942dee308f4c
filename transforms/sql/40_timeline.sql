-- timeline: every claim, piece of evidence and response of a company in date order, with its
-- source, for reading a case as a story. Retracted items stay in the story, marked. Filter on group_company_id to read a parent with its
-- subsidiaries and affiliates.
create or replace view timeline as
with

-- import ------------------------------------------------------------------------------------
group_tops as (
    with recursive walk(company_id, ancestor_id, depth) as (
        select company_id, company_id, 0 from companies
        union all
        select walk.company_id, parent.parent_company_id, walk.depth + 1
        from walk
        join companies as parent on parent.company_id = walk.ancestor_id
        where parent.parent_company_id is not null and walk.depth < 50
    )
    select company_id, arg_max(ancestor_id, depth) as group_company_id
    from walk
    group by company_id
),

refutations as (
    select claim_id, evidence_id from claim_evidence where relation = 'refutes'
),

refuted_by as (
    select claim_id, list(evidence_id order by evidence_id) as evidence_ids
    from refutations
    group by claim_id
),

refutes as (
    select evidence_id, list(claim_id order by claim_id) as claim_ids
    from refutations
    group by evidence_id
),

-- logic -------------------------------------------------------------------------------------
claim_items as (
    select
        claim.company_id, claim.claim_date as item_date,
        claim.claim_date_precision as item_date_precision, 'claim' as item_kind,
        claim.claim_id as item_id, claim.claim_type as item_type, claim.summary,
        claim.quote, claim.quote_lang, claim.quote_en,
        []::varchar[] as refutes_claim_ids,
        coalesce(refuted_by.evidence_ids, []) as refuted_by_evidence_ids,
        null::varchar as responds_to_id,
        claim.review_status, claim.retracted_on, claim.source_id
    from claims as claim
    left join refuted_by using (claim_id)
),

evidence_items as (
    select
        evidence.company_id, evidence.evidence_date, evidence.evidence_date_precision,
        'evidence', evidence.evidence_id, evidence.evidence_type, evidence.summary,
        evidence.quote, evidence.quote_lang, evidence.quote_en,
        coalesce(refutes.claim_ids, []),
        []::varchar[],
        null::varchar,
        evidence.review_status, evidence.retracted_on, evidence.source_id
    from evidence
    left join refutes using (evidence_id)
),

response_items as (
    select
        response.company_id, response.response_date, response.response_date_precision,
        'response', response.response_id, response.response_type, response.summary,
        response.quote, response.quote_lang, response.quote_en,
        []::varchar[], []::varchar[],
        coalesce(response.claim_id, response.evidence_id),
        response.review_status, response.retracted_on, response.source_id
    from responses as response
),

items as (
    select * from claim_items
    union all select * from evidence_items
    union all select * from response_items
),

final as (
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
        item.refutes_claim_ids,
        item.refuted_by_evidence_ids,
        item.responds_to_id,
        item.review_status,
        item.retracted_on,
        item.source_id,
        source.publisher as source_publisher,
        source.title as source_title,
        source.url as source_url,
        source.archived_url as source_archived_url
    from items as item
    left join group_tops using (company_id)
    left join sources as source using (source_id)
)

select * from final
order by company_id, item_date nulls last, item_kind, item_id;
