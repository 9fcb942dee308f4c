-- claim_gap_as_of(as_of, companies := NULL): one row per claim, scored from what was known on
-- as_of. NULL as_of means everything in the package; the claim_gap view is exactly that.
-- companies, a list of company_ids, scores only their claims: the same numbers, read in
-- milliseconds instead of rescoring the whole package.
-- The method is explained, with a worked example, in docs/methodology.md.
create or replace macro claim_gap_as_of(as_of, companies := NULL) as table
with

-- import ------------------------------------------------------------------------------------
weights as (
    select factor, level, weight from score_weights
),

settings as (
    select
        max(weight) filter (where factor = 'time_decay' and level = 'half_life_days')
            as half_life_days,
        coalesce(max(weight) filter (where factor = 'support' and level = 'offset'), 0)
            as support_offset,
        coalesce(max(weight) filter (where factor = 'status' and level = 'contradicted_min_gap'), 0)
            as contradicted_min_gap,
        score_weights_fingerprint() as weights_fingerprint
    from score_weights
),

-- On a past date, each record is read in the version that was current then (from its
-- history); the views read the current tables. Either way a retracted record no longer counts.
-- Both the item's own period and the day it entered the package must lie on or before as_of:
-- evidence recorded after as_of is never counted, even when its own date is earlier. An
-- undated claim (no source dates it) is known from the day it was recorded.
known_claims as (
    select * exclude (version, valid_from, valid_to, change, change_reason)
    from claims_history
    where as_of is not null
      and version_current_on(valid_from, valid_to, as_of)
      and retracted_on is null
      and (claim_date is null or date_period_end(claim_date, claim_date_precision) <= as_of)
      and (companies is null or list_contains(companies, company_id))
    union all
    select * from claims
    where as_of is null and retracted_on is null and companies is null
    union all
    select * from claims
    where as_of is null and retracted_on is null and companies is not null
      and company_id in (select unnest(companies))
),

known_evidence as (
    select * exclude (version, valid_from, valid_to, change, change_reason)
    from evidence_history
    where as_of is not null
      and version_current_on(valid_from, valid_to, as_of)
      and retracted_on is null
      and date_period_end(evidence_date, evidence_date_precision) <= as_of
    union all
    select * from evidence
    where as_of is null and retracted_on is null
),

known_sources as (
    select * exclude (version, valid_from, valid_to, change, change_reason)
    from sources_history
    where as_of is not null and version_current_on(valid_from, valid_to, as_of)
    union all
    select * from sources
    where as_of is null
),

known_links as (
    select link.*
    from (
        select * exclude (version, valid_from, valid_to, change, change_reason)
        from claim_evidence_history
        where as_of is not null
          and version_current_on(valid_from, valid_to, as_of)
          and retracted_on is null
        union all
        select * from claim_evidence
        where as_of is null and retracted_on is null
    ) as link
    join known_claims using (claim_id)
    join known_evidence using (evidence_id)
),

-- Decay, when switched on, is measured to as_of or, in the views, to the data date, so the
-- views give the same answer on every day the same data is read.
reference_date as (
    select coalesce(
        as_of,
        (select max(recorded_on) from known_links),
        (select max(recorded_on) from known_claims)
    ) as reference_date
),

-- logic -------------------------------------------------------------------------------------
-- Every known link with its strength; context links score 0 but are listed.
link_strengths as (
    select
        link.claim_id,
        link.evidence_id,
        link.relation,
        -- A translation or relay counts as its original: pieces that trace to the same
        -- original source are not independent, and weigh as the original's type (a news report
        -- of an SEC order weighs as the order; review_status discounts the second-hand read).
        coalesce(original.source_id, source.source_id) as original_source_id,
        case when link.relation = 'context' then 0.0 else
            coalesce(source_type_weight.weight, 0)
            * coalesce(confidence_weight.weight, 0)
            * coalesce(review_weight.weight, 0)
            * coalesce(relation_weight.weight, 0)
            * case
                when settings.half_life_days is null or settings.half_life_days <= 0 then 1.0
                else pow(0.5, greatest(date_diff('day', evidence.evidence_date,
                                                 reference_date.reference_date), 0)
                              / settings.half_life_days)
              end
        end as strength
    from known_links as link
    join known_evidence as evidence using (evidence_id)
    join known_sources as source on source.source_id = evidence.source_id
    left join known_sources as original on original.source_id = source.based_on_source_id
    cross join settings
    cross join reference_date
    left join weights as source_type_weight
        on source_type_weight.factor = 'source_type'
       and source_type_weight.level = coalesce(original.source_type, source.source_type)
    left join weights as confidence_weight
        on confidence_weight.factor = 'confidence' and confidence_weight.level = link.confidence
    left join weights as review_weight
        on review_weight.factor = 'review_status' and review_weight.level = evidence.review_status
    left join weights as relation_weight
        on relation_weight.factor = 'relation' and relation_weight.level = link.relation
),

independent_pieces as (
    select claim_id, relation, original_source_id, max(least(greatest(strength, 0), 1)) as strength
    from link_strengths
    where relation in ('refutes', 'supports')
    group by claim_id, relation, original_source_id
),

strengths as (
    select
        claim_id,
        1 - coalesce(product(1 - strength) filter (where relation = 'refutes'), 1)
            as contradiction_strength,
        1 - coalesce(product(1 - strength) filter (where relation = 'supports'), 1)
            as support_strength
    from independent_pieces
    group by claim_id
),

evidence_lists as (
    select
        claim_id,
        count(*) filter (where relation = 'refutes') as refuting_evidence_count,
        count(*) filter (where relation = 'supports') as supporting_evidence_count,
        count(*) filter (where relation = 'context') as context_evidence_count,
        list(evidence_id order by strength desc, evidence_id)
            filter (where relation = 'refutes') as refuting_evidence_ids,
        list(evidence_id order by strength desc, evidence_id)
            filter (where relation = 'supports') as supporting_evidence_ids,
        list(evidence_id order by evidence_id)
            filter (where relation = 'context') as context_evidence_ids
    from link_strengths
    group by claim_id
),

scored as (
    select
        claim.claim_id,
        coalesce(lists.refuting_evidence_count, 0) as refuting_evidence_count,
        coalesce(lists.supporting_evidence_count, 0) as supporting_evidence_count,
        coalesce(lists.context_evidence_count, 0) as context_evidence_count,
        round(coalesce(strengths.contradiction_strength, 0), 4) as contradiction_strength,
        round(coalesce(strengths.support_strength, 0), 4) as support_strength,
        round(100 * coalesce(strengths.contradiction_strength, 0)
                  * (1 - settings.support_offset * coalesce(strengths.support_strength, 0)), 1)
            as gap_score,
        coalesce(lists.refuting_evidence_ids, []) as refuting_evidence_ids,
        coalesce(lists.supporting_evidence_ids, []) as supporting_evidence_ids,
        coalesce(lists.context_evidence_ids, []) as context_evidence_ids,
        settings.contradicted_min_gap,
        settings.weights_fingerprint
    from known_claims as claim
    cross join settings
    left join strengths using (claim_id)
    left join evidence_lists as lists using (claim_id)
),

final as (
    select
        claim.claim_id,
        claim.company_id,
        company.name as company_name,
        claim.claim_date,
        claim.claim_date_precision,
        claim.topic,
        claim.claim_type,
        claim.summary,
        scored.refuting_evidence_count,
        scored.supporting_evidence_count,
        scored.context_evidence_count,
        scored.contradiction_strength,
        scored.support_strength,
        scored.gap_score,
        case
            when scored.refuting_evidence_count > 0 and scored.supporting_evidence_count > 0
                then 'disputed'
            when scored.refuting_evidence_count > 0
                 and scored.gap_score >= scored.contradicted_min_gap then 'contradicted'
            when scored.refuting_evidence_count > 0 then 'questioned'
            when scored.supporting_evidence_count > 0 then 'supported'
            else 'unverified'
        end as status,
        scored.refuting_evidence_ids,
        scored.supporting_evidence_ids,
        scored.context_evidence_ids,
        as_of::date as as_of,
        score_method_version() as method_version,
        scored.weights_fingerprint
    from known_claims as claim
    join scored using (claim_id)
    left join companies as company using (company_id)
)

select * from final;

create or replace view claim_gap as
select * from claim_gap_as_of(null)
order by company_id, claim_date, claim_id;
