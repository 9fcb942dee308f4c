-- A date stored with its precision stands for a whole period: 2023-03 (month) runs to
-- 2023-03-31. Point-in-time queries count a dated item only once its whole period has passed,
-- so a month-precision fact is never seen before the month is over.
create or replace macro date_period_end(item_date, item_date_precision) as
    case item_date_precision
        when 'day' then item_date
        when 'month' then (date_trunc('month', item_date) + interval 1 month - interval 1 day)::date
        when 'year' then make_date(year(item_date), 12, 31)
    end;

-- A company's band from its gap_score and the band weights (score_weights, factor 'band').
create or replace macro gap_band(score, moderate_from, high_from, severe_from) as
    case
        when score is null then 'untested'
        when score >= severe_from then 'severe'
        when score >= high_from then 'high'
        when score >= moderate_from then 'moderate'
        else 'low'
    end;

-- Which weights made a score: equal fingerprints, equal weights (every row of score_weights).
create or replace macro score_weights_fingerprint() as (
    select md5(string_agg(factor || ':' || level || '=' || coalesce(weight::varchar, ''), ';'
                          order by factor, level))
    from score_weights
);
