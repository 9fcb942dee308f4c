-- claim_gap_unchecked(as_of, companies, clock): claim_gap_as_of without the checks of its
-- arguments (see link_scores_unchecked), for company_gap_as_of and the build's stored rows.
create or replace macro claim_gap_unchecked(as_of, companies, clock) as table
with

-- import ------------------------------------------------------------------------------------
-- Stored at build time for the default weights, as link_scores_as_of explains.
use_stored as (
    select 1 as yes from internal.stored_scores
    where view_name = 'claim_gap' and as_of is null
      and weights_fingerprint = score_weights_fingerprint()
),

stored as (
    select stored.* exclude (company_key)
    from internal.claim_gap_stored as stored
    join listed_company_keys(companies) using (company_key)
    where exists (select 1 from use_stored)
),

links as (
    select * from link_scores_unchecked(as_of, companies, clock)
    where not exists (select 1 from use_stored)
),

known_claims as (
    select claim.* replace (coalesce(released.effective_review_status,
                                     claim.effective_review_status) as effective_review_status)
    from known_rows('claims', as_of, clock) as claim
    left join released_review('claims', as_of, clock) as released
        on released.record_id = claim.claim_id
    where claim.company_id in (select company_id from listed_or_all_companies(companies))
      and (as_of is null or clock != 'published' or claim.public_from <= as_of)
      and not exists (select 1 from use_stored)
),

settings as (
    select
        coalesce(max(weight) filter (where factor = 'support' and level = 'offset'), 0)
            as support_offset,
        coalesce(max(weight) filter (where factor = 'status' and level = 'contradicted_min_gap'), 0)
            as contradicted_min_gap,
        score_weights_fingerprint() as weights_fingerprint
    from main.score_weights
),

-- Company names as they stand now; on a date on the released clock, as released then.
known_companies as (
    select company_id, name from main.companies where as_of is null or clock != 'released'
    union all
    select company_id, name from known_rows('companies', as_of, clock)
    where as_of is not null and clock = 'released'
),

claim_weights as (
    select factor, level, weight from main.score_weights where factor in ('claim_wording', 'claim_review')
),

-- logic -------------------------------------------------------------------------------------
-- How sure the package is of what the company said: whose words it holds, and how well the
-- claim was checked. A claim is confirmed only by the company's own words (as said, or as a
-- source translated them) and sources that could be checked: a paraphrase or a back-translation
-- is someone else's sentence, so evidence may bear against the claim, but it is never
-- 'contradicted'.
claim_certainty as (
    select
        claim.claim_id,
        coalesce(claim.quote_kind, 'none') as claim_wording,
        claim.effective_review_status as claim_review_status,
        holds_own_words(claim.quote_kind)
            and claim.quote is not null
            and claim.effective_review_status != 'needs_review' as claim_confirmed,
        coalesce(wording.weight, 0) * coalesce(review.weight, 0) as certainty
    from known_claims as claim
    left join claim_weights as wording
        on wording.factor = 'claim_wording' and wording.level = coalesce(claim.quote_kind, 'none')
    left join claim_weights as review
        on review.factor = 'claim_review' and review.level = claim.effective_review_status
),

-- Independent pieces combine as independent chances do (noisy-OR); merged pieces count 0.
strengths as (
    select
        claim_id,
        1 - coalesce(product(1 - counted_strength) filter (where relation = 'refutes'), 1)
            as contradiction_strength,
        1 - coalesce(product(1 - counted_strength) filter (where relation = 'supports'), 1)
            as support_strength,
        count(*) filter (where relation = 'refutes') as refuting_evidence_count,
        count(*) filter (where relation = 'supports') as supporting_evidence_count,
        count(*) filter (where relation = 'context') as context_evidence_count,
        list(evidence_id order by counted_strength desc, strength desc, evidence_id)
            filter (where relation = 'refutes') as refuting_evidence_ids,
        list(evidence_id order by counted_strength desc, strength desc, evidence_id)
            filter (where relation = 'supports') as supporting_evidence_ids,
        list(evidence_id order by evidence_id) filter (where relation = 'context')
            as context_evidence_ids
    from links
    group by claim_id
),

scored as (
    select
        claim.claim_id,
        certainty.claim_wording,
        certainty.claim_review_status,
        certainty.claim_confirmed,
        round(certainty.certainty, 4) as claim_certainty,
        coalesce(strengths.refuting_evidence_count, 0) as refuting_evidence_count,
        coalesce(strengths.supporting_evidence_count, 0) as supporting_evidence_count,
        coalesce(strengths.context_evidence_count, 0) as context_evidence_count,
        round(coalesce(strengths.contradiction_strength, 0), 4) as contradiction_strength,
        round(coalesce(strengths.support_strength, 0), 4) as support_strength,
        -- In exact decimals, so a score on a half (9.45) rounds the same way for everyone who
        -- recomputes it, whatever order their floating-point arithmetic takes.
        round(100 * round(coalesce(strengths.contradiction_strength, 0), 4)::decimal(18, 4)
                  * (1 - settings.support_offset::decimal(18, 4)
                         * round(coalesce(strengths.support_strength, 0), 4)::decimal(18, 4))
                  * round(certainty.certainty, 4)::decimal(18, 4), 1)::double as gap_score,
        coalesce(strengths.refuting_evidence_ids, []) as refuting_evidence_ids,
        coalesce(strengths.supporting_evidence_ids, []) as supporting_evidence_ids,
        coalesce(strengths.context_evidence_ids, []) as context_evidence_ids,
        settings.contradicted_min_gap,
        settings.weights_fingerprint
    from known_claims as claim
    cross join settings
    join claim_certainty as certainty using (claim_id)
    left join strengths using (claim_id)
),

computed as (
    select
        claim.claim_id,
        claim.company_id,
        company.name as company_name,
        claim.claim_date,
        claim.claim_date_precision,
        claim.topic,
        claim.claim_type,
        claim.summary,
        scored.claim_wording,
        scored.claim_review_status,
        scored.claim_certainty,
        scored.refuting_evidence_count,
        scored.supporting_evidence_count,
        scored.context_evidence_count,
        scored.contradiction_strength,
        scored.support_strength,
        scored.gap_score,
        case
            when scored.refuting_evidence_count > 0 and not scored.claim_confirmed
                then 'unconfirmed'
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
        coalesce(as_of::date, (select max(data_date) from main.releases)) as as_of,
        clock_label(as_of, clock) as clock,
        score_method_version() as method_version,
        scored.weights_fingerprint
    from known_claims as claim
    join scored using (claim_id)
    left join known_companies as company using (company_id)
),

final as (
    select * from computed
    union all
    select * from stored
),

-- On a date before anything the package holds about these companies, say so. (A company with
-- no claim at all has none on any date: that is an answer, not an error.)
nothing_known as (
    select case
        when as_of is not null and not exists (select 1 from final)
             and exists (select 1 from main.claims where retracted_on is null
                         and company_id in (select company_id from listed_or_all_companies(companies)))
        then error('saydo knows no claim' || coalesce(' of ' || array_to_string(companies, ', '), '')
                   || ' on ' || as_of::varchar || ' on the ' || clock || ' clock'
                   || case when clock = 'released'
                           then ': no release published by then held one; '
                                || coalesce('the first after it was published on '
                                            || (select min(released_from)::varchar
                                                from main.claims_history
                                                where released_from > as_of and retracted_on is null
                                                  and company_id in (select company_id
                                                      from listed_or_all_companies(companies))),
                                            'no release after it holds one yet')
                           else ': the earliest claim was public on '
                                || coalesce((select min(public_from)::varchar from main.claims
                                             where retracted_on is null
                                               and company_id in (select company_id
                                                   from listed_or_all_companies(companies))), 'no day')
                      end || '.')
        else true
    end as ok
)

select final.* from final, nothing_known
where nothing_known.ok;

-- claim_gap_as_of(as_of, companies := NULL, clock := 'published'): one row per claim known on
-- as_of, scored from its links in link_scores_as_of and from how sure the package is of the
-- claim itself. NULL as_of means everything the package holds now: the claim_gap view.
-- companies, a list of company_ids, scores only their claims: the same numbers, in milliseconds.
-- A date on which the package knew no claim of the companies asked about is an error, never a
-- silent empty answer.
create or replace macro claim_gap_as_of(as_of, companies := NULL, clock := 'published') as table
select answer.* from claim_gap_unchecked(as_of, companies, clock) as answer,
    checked_arguments(clock, companies) as asked
where asked.ok;
