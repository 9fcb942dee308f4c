-- Which weights made a score: equal fingerprints, equal weights (every row of score_weights).
create or replace macro score_weights_fingerprint() as (
    select md5(string_agg(factor || ':' || level || '=' || coalesce(weight::varchar, ''), ';'
                          order by factor, level))
    from main.score_weights
);

-- One row when an as-of macro may answer, else an error: the clock is one of the two, no
-- temporary table or view hides one of the package's (package_names_unhidden, generated in
-- transforms/store.py), and every company listed is one the package holds: ['Hikvision'] would
-- otherwise be an empty answer, read as "nothing found". Joined as a row, not a filter on the
-- answer's rows, so an empty answer is checked too.
create or replace macro checked_arguments(clock, companies) as table
with

unknown as (
    select min(listed.company_id) filter (where held.company_id is null) as company_id
    from (select unnest(companies)::varchar as company_id) as listed
    left join internal.company_keys as held on held.company_id = listed.company_id
),

unknown_ids as (
    select company_id from unknown where company_id is not null
),

-- The companies, read from the package's own table even when a temporary one is named like it
-- (package_names_unhidden stops the macro then, with a message; a binder error would come first).
held_companies as (
    select company_id, name from query_table(package_table('companies'))
),

-- The id most likely meant: the same letters in lower case, or a company of that name. Equi-joins
-- with the unknown id as their build side: with none unknown, DuckDB stops each scan of the
-- companies at once (a filter on every name cost 5 ms a call at twenty thousand companies).
meant as (
    select min(company_id) as company_id
    from (
        select held.company_id
        from held_companies as held
        join unknown_ids on held.company_id = lower(unknown_ids.company_id)
        union all
        select held.company_id
        from held_companies as held
        join unknown_ids on lower(held.name) = lower(unknown_ids.company_id)
    )
)

select true as ok
from unknown, meant
where checked_clock(clock) is not null and package_names_unhidden()
  and (unknown.company_id is null
       or error('the package holds no company with the id ''' || unknown.company_id || ''': '
                || coalesce('did you mean ''' || meant.company_id || '''? ', '')
                || 'ids are lowercase slugs; select company_id, name from companies lists them'));
