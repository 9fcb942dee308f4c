-- Which weights made a score: equal fingerprints, equal weights (every row of score_weights).
create or replace macro score_weights_fingerprint() as (
    select md5(string_agg(factor || ':' || level || '=' || coalesce(weight::varchar, ''), ';'
                          order by factor, level))
    from main.score_weights
);

-- One row when an as-of macro may answer, else an error: the clock is one of the two, and no
-- temporary table or view hides one of the package's (package_names_unhidden, generated in
-- transforms/store.py). Joined as a row, not a filter on the answer's rows, so an empty answer
-- is checked too.
create or replace macro checked_arguments(clock) as table
select true as ok
where checked_clock(clock) is not null and package_names_unhidden();
