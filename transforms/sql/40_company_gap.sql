-- company_gap_unchecked(as_of, companies, clock, claims_from): company_gap_as_of without the
-- checks of its arguments. claims_from 'stored' reads the claims' scores from the stored
-- claim_gap rows alone, for the build, which has just stored them for the weights it scores
-- with; anything else (NULL) scores them with claim_gap_unchecked, which honours a changed
-- weight.
create or replace macro company_gap_unchecked(as_of, companies, clock, claims_from) as table
with

-- import ------------------------------------------------------------------------------------
-- Stored at build time for the default weights, as link_scores_as_of explains.
use_stored as (
    select 1 as yes from internal.stored_scores
    where view_name = 'company_gap' and as_of is null
      and weights_fingerprint = score_weights_fingerprint()
),

stored as (
    select stored.* exclude (company_key)
    from internal.company_gap_stored as stored
    join listed_company_keys(companies) using (company_key)
    where exists (select 1 from use_stored)
),

-- Parent links as they stood on as_of on the released clock; as they stand now otherwise.
known_companies as (
    select * from known_rows('companies', released_as_of(as_of, clock), clock)
    where not exists (select 1 from use_stored)
),

bands as (
    select
        coalesce(max(weight) filter (where level = 'moderate'), 25) as moderate_from,
        coalesce(max(weight) filter (where level = 'high'), 50) as high_from,
        coalesce(max(weight) filter (where level = 'severe'), 75) as severe_from
    from main.score_weights
    where factor = 'band'
),

settings as (
    select score_weights_fingerprint() as weights_fingerprint
),

-- logic -------------------------------------------------------------------------------------
group_members as (
    select * from company_group_members('known_companies', roots := companies)
),

-- Only the claims of the companies asked for, and of their groups, are scored; none when the
-- stored rows answer (an empty list, not NULL, which would score every claim). On a date the
-- companies asked for are listed even when no group held them then (a company first released
-- later): a date before anything was known of them is claim_gap_as_of's error, never an empty
-- answer. (The list is written as a subquery in the call itself: read from a CTE there, DuckDB
-- 1.1 fails with an internal error.)
computed_claim_scores as (
    select * from claim_gap_unchecked(
        as_of,
        (select case when companies is null and not exists (select 1 from use_stored)
                     then null
                     else coalesce(list(distinct member_company_id), []) end
         from (select member_company_id from group_members
               union all
               select unnest(companies) where as_of is not null)),
        clock
    )
),

-- The build's: the stored claim rows of the companies' groups (the build scores on a day,
-- as_of NULL, with the stored rows not yet in use).
stored_claim_scores as (
    select stored.* exclude (company_key)
    from internal.claim_gap_stored as stored
    join listed_company_keys(
        (select case when companies is null then null
                     else coalesce(list(distinct member_company_id), []) end
         from group_members)
    ) using (company_key)
),

-- A constant claims_from switches the other branch off before DuckDB optimises the query,
-- which halves what the build spends planning company_gap. (Picked by query_table, the branch
-- not taken would not even be bound, but DuckDB 1.1 then fails with an internal error on the
-- list of companies passed down as a subquery.)
claim_scores as (
    select * from computed_claim_scores where claims_from is distinct from 'stored'
    union all
    select * from stored_claim_scores where claims_from = 'stored'
),

own_figures as (
    select
        company_id,
        count(*) as claims,
        count(*) filter (where status != 'unverified') as tested_claims,
        count(*) filter (where status = 'contradicted') as contradicted_claims,
        count(*) filter (where status = 'unconfirmed') as unconfirmed_claims,
        mean_to_tenth(case when status != 'unverified' then gap_score end) as gap_score,
        max(gap_score) as max_claim_gap_score
    from claim_scores
    group by company_id
),

group_figures as (
    select
        members.group_company_id as company_id,
        count(distinct members.member_company_id) as group_companies,
        count(claim.claim_id) as group_claims,
        count(claim.claim_id) filter (where claim.status != 'unverified') as group_tested_claims,
        count(claim.claim_id) filter (where claim.status = 'contradicted')
            as group_contradicted_claims,
        mean_to_tenth(case when claim.status != 'unverified' then claim.gap_score end)
            as group_gap_score
    from group_members as members
    left join claim_scores as claim on claim.company_id = members.member_company_id
    group by members.group_company_id
),

computed as (
    select
        company.company_id,
        company.name as company_name,
        company.parent_company_id,
        coalesce(own.claims, 0) as claims,
        coalesce(own.tested_claims, 0) as tested_claims,
        coalesce(own.contradicted_claims, 0) as contradicted_claims,
        coalesce(own.unconfirmed_claims, 0) as unconfirmed_claims,
        own.gap_score,
        own.max_claim_gap_score,
        gap_band(own.gap_score, bands.moderate_from, bands.high_from, bands.severe_from)
            as band,
        grouped.group_companies,
        grouped.group_claims,
        grouped.group_tested_claims,
        grouped.group_contradicted_claims,
        grouped.group_gap_score,
        gap_band(grouped.group_gap_score, bands.moderate_from, bands.high_from, bands.severe_from)
            as group_band,
        coalesce(as_of::date, (select max(data_date) from main.releases)) as as_of,
        clock_label(as_of, clock) as clock,
        score_method_version() as method_version,
        settings.weights_fingerprint
    from known_companies as company
    cross join bands
    cross join settings
    left join own_figures as own using (company_id)
    left join group_figures as grouped using (company_id)
    where companies is null or company.company_id in (select company_id from listed_companies(companies))
),

final as (
    select * from computed
    union all
    select * from stored
)

select * from final;

-- company_gap_as_of(as_of, companies := NULL, clock := 'published'): one row per company,
-- alone and with its group (the company with every subsidiary and affiliate below it through
-- parent_company_id). companies, a list of company_ids, computes only their rows, scoring only
-- their groups.
create or replace macro company_gap_as_of(as_of, companies := NULL, clock := 'published') as table
select answer.* from company_gap_unchecked(as_of, companies, clock, NULL) as answer,
    checked_arguments(clock, companies) as asked
where asked.ok;
