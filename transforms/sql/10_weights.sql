-- Which weights made a score: equal fingerprints, equal weights (every row of score_weights).
create or replace macro score_weights_fingerprint() as (
    select md5(string_agg(factor || ':' || level || '=' || coalesce(weight::varchar, ''), ';'
                          order by factor, level))
    from main.score_weights
);
