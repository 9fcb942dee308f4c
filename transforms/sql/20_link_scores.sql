-- The company_keys of the companies listed (NULL: all), for the score macros in this file and
-- the next ones. The build stores each score view's rows sorted by company_key: joined on these
-- keys, a read of one company reaches the stored rows as a range of integer keys and reads that
-- slice, where a filter on the stored company_id reads every row (a quarter of a second at a
-- million claims).
create or replace macro listed_company_keys(companies) as table
select company_key from internal.company_keys
where companies is null or company_id in (select company_id from listed_companies(companies));

-- The company_ids of a list, or of every company when the list is NULL, for `company_id in
-- (select company_id from listed_or_all_companies(companies))`. Written as `companies is null
-- or company_id in (...)`, the OR makes DuckDB read every claim and test each against the list;
-- as one IN it is a semi-join, and an empty list (company_gap_as_of passes one when its stored
-- rows answer) stops the read at the first rows: 30 of 40 ms for one company at a million
-- claims. Every claim's company is in main.companies (the build refuses any other), and the
-- schema is named so that a caller's own CTE called `companies` is not read instead.
create or replace macro listed_or_all_companies(companies) as table
select company_id from main.companies where companies is null
union all
select unnest(companies) as company_id;

-- released_review(base, as_of, clock): on a date on the released clock, (table_name, record_id,
-- effective_review_status) for each record of base ('claims', 'evidence', 'responses' or
-- 'claim_evidence', whose record_id is 'claim_id/evidence_id'; NULL: all four) whose status
-- worked out from the versions the release then current held differs from today's. The history
-- keeps today's status in every version, and a record's status also rests on its sources,
-- corrected or not since: the build works out each release's (transforms/history.py
-- fill_released_review). Empty on the published clock and with as_of NULL, where today's status
-- is the answer.
create or replace macro released_review(base, as_of, clock) as table
select table_name, record_id, effective_review_status
from internal.released_review
where (base is null or table_name = base) and as_of is not null and clock = 'released'
  and version_current_on(released_from, released_to, as_of);

-- link_scores_unchecked(as_of, companies, clock): link_scores_as_of without the checks of its
-- arguments, which the macro a user calls makes once: each check costs DuckDB milliseconds to
-- plan, and claim_gap_as_of and company_gap_as_of build on this one (the build stores its
-- rows from it too: its arguments are its own).
create or replace macro link_scores_unchecked(as_of, companies, clock) as table
with

-- import ------------------------------------------------------------------------------------
-- The build stores the current scores for the default weights (sorted by company, so a read of
-- one company touches one slice); they answer while the weights are unchanged. Any other as-of
-- date, or a changed weight, is computed below from the records.
use_stored as (
    select 1 as yes from internal.stored_scores
    where view_name = 'link_scores' and as_of is null
      and weights_fingerprint = score_weights_fingerprint()
),

stored as (
    select stored.* exclude (company_key)
    from internal.link_scores_stored as stored
    join listed_company_keys(companies) using (company_key)
    where exists (select 1 from use_stored)
),

weights as (
    select factor, level, weight from main.score_weights
),

settings as (
    select
        max(weight) filter (where factor = 'time_decay' and level = 'half_life_days')
            as half_life_days,
        score_weights_fingerprint() as weights_fingerprint
    from main.score_weights
),

known_claims as (
    select * from known_rows('claims', as_of, clock)
    where company_id in (select company_id from listed_or_all_companies(companies))
      and (as_of is null or clock != 'published' or public_from <= as_of)
      and not exists (select 1 from use_stored)
),

known_evidence as (
    select evidence.* replace (coalesce(released.effective_review_status,
                                        evidence.effective_review_status) as effective_review_status)
    from known_rows('evidence', as_of, clock) as evidence
    left join released_review('evidence', as_of, clock) as released
        on released.record_id = evidence.evidence_id
    where (as_of is null or clock != 'published' or evidence.public_from <= as_of)
      and not exists (select 1 from use_stored)
),

known_sources as (
    select * from known_rows('sources', as_of, clock)
    where not exists (select 1 from use_stored)
),

known_links as (
    select link.*
    from known_rows('claim_evidence', as_of, clock) as link
    where (as_of is null or clock != 'published' or link.public_from <= as_of)
      and not exists (select 1 from use_stored)
      and link.claim_id in (select claim_id from known_claims)
      and link.evidence_id in (select evidence_id from known_evidence)
),

origins as (
    select * from source_origins('known_sources')
),

-- Decay, when switched on, is measured to as_of or, in the view, to the data date, so the view
-- gives the same answer on every day the same data is read.
reference_date as (
    select coalesce(as_of, (select max(data_date) from main.releases)) as reference_date
),

-- logic -------------------------------------------------------------------------------------
-- Each link with what it weighs as: who speaks, through which source, resting on what.
described as (
    select
        link.claim_id,
        link.evidence_id,
        claim.company_id,
        link.relation,
        link.confidence,
        evidence.voice,
        evidence.source_id as read_in_source_id,
        source.source_type as read_in_source_type,
        -- Pieces resting on the same primary material (or, failing that, the same original
        -- source) are not independent: for each claim and relation only the strongest counts.
        coalesce(primary_origin.origin_id, read_origin.origin_id, evidence.source_id)
            as counts_as_source_id,
        evidence.effective_review_status as evidence_review_status,
        case
            when evidence.effective_review_status = 'secondary_only' then 'read_at_second_hand'
            when first_hand(evidence.voice, source.source_type) then 'first_hand'
            else source.source_type
        end as relay,
        evidence.evidence_date
    from known_links as link
    join known_claims as claim using (claim_id)
    join known_evidence as evidence using (evidence_id)
    left join known_sources as source on source.source_id = evidence.source_id
    left join origins as read_origin on read_origin.source_id = evidence.source_id
    left join origins as primary_origin on primary_origin.source_id = evidence.primary_source_id
),

weighed as (
    select
        described.*,
        coalesce(voice_weight.weight, 0) as voice_weight,
        coalesce(relay_weight.weight, 0) as relay_weight,
        coalesce(confidence_weight.weight, 0) as confidence_weight,
        coalesce(certainty_weight.weight, 0) as certainty_weight,
        coalesce(relation_weight.weight, 0) as relation_weight,
        case
            when settings.half_life_days is null or settings.half_life_days <= 0 then 1.0
            else pow(0.5, greatest(date_diff('day', described.evidence_date,
                                             reference_date.reference_date), 0)
                          / settings.half_life_days)
        end as decay
    from described
    cross join settings
    cross join reference_date
    left join weights as voice_weight
        on voice_weight.factor = 'voice' and voice_weight.level = described.voice
    left join weights as relay_weight
        on relay_weight.factor = 'relay' and relay_weight.level = described.relay
    left join weights as confidence_weight
        on confidence_weight.factor = 'confidence' and confidence_weight.level = described.confidence
    left join weights as certainty_weight
        on certainty_weight.factor = 'certainty'
       and certainty_weight.level = described.evidence_review_status
    left join weights as relation_weight
        on relation_weight.factor = 'relation' and relation_weight.level = described.relation
),

strengths as (
    select
        *,
        -- Context is shown, not scored. Weights are kept within 0 and 1 whatever an UPDATE sets.
        case when relation = 'context' then 0.0 else least(greatest(
            voice_weight * relay_weight * confidence_weight * certainty_weight
            * relation_weight * decay, 0), 1)
        end as strength
    from weighed
),

ranked as (
    select
        *,
        first_value(evidence_id) over same_material as strongest_evidence_id
    from strengths
    window same_material as (
        partition by claim_id, relation, counts_as_source_id
        order by strength desc, evidence_id
    )
),

computed as (
    select
        claim_id,
        evidence_id,
        company_id,
        relation,
        confidence,
        voice,
        read_in_source_id,
        read_in_source_type,
        counts_as_source_id,
        evidence_review_status,
        relay,
        round(voice_weight, 4) as voice_weight,
        round(relay_weight, 4) as relay_weight,
        round(confidence_weight, 4) as confidence_weight,
        round(certainty_weight, 4) as certainty_weight,
        round(relation_weight, 4) as relation_weight,
        round(decay, 4) as decay,
        round(strength, 4) as strength,
        relation != 'context' and evidence_id = strongest_evidence_id as counted,
        case when relation != 'context' and evidence_id != strongest_evidence_id
             then strongest_evidence_id end as merged_into,
        case when relation != 'context' and evidence_id != strongest_evidence_id
             then 'rests on the same primary material (' || counts_as_source_id
                  || ') as ' || strongest_evidence_id || ', which weighs more' end
            as merged_because,
        round(case when relation != 'context' and evidence_id = strongest_evidence_id
                   then strength else 0 end, 4) as counted_strength,
        -- The current view is as of the data date: everything the package held then.
        (select reference_date from reference_date)::date as as_of,
        clock_label(as_of, clock) as clock,
        score_method_version() as method_version,
        (select weights_fingerprint from settings) as weights_fingerprint
    from ranked
),

final as (
    select * from computed
    union all
    select * from stored
)

select * from final;

-- link_scores_as_of(as_of, companies := NULL, clock := 'published'): one row per link between a
-- claim and a piece of evidence known on as_of, with every factor of its strength, whether it
-- counted or was merged into another piece resting on the same primary material, and why.
-- claim_gap is computed from these rows and nothing else, so this is the one definition of a
-- link's strength. as_of NULL means everything the package holds now (the link_scores view).
-- companies, a list of company_ids, keeps only their claims' links.
-- docs/methodology.md explains the method with a worked example.
create or replace macro link_scores_as_of(as_of, companies := NULL, clock := 'published') as table
select answer.* from link_scores_unchecked(as_of, companies, clock) as answer,
    checked_arguments(clock, companies) as asked
where asked.ok;
