-- Functions that read no table: the build's rules use them on the work database before any
-- table of the package exists, and the views use them after.

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

-- Whether a version valid from valid_from until valid_to (exclusive; NULL: still current) was
-- the current one on as_of. Every point-in-time read of a <table>_history uses this.
create or replace macro version_current_on(valid_from, valid_to, as_of) as
    valid_from <= as_of and (valid_to is null or valid_to > as_of);

-- The company groups: every company with each company below it through parent_company_id, to
-- any depth, itself included. `company_rows` names a table, view or CTE with company_id and
-- parent_company_id (the current companies, or their versions on a date); `roots`, a list of
-- company_ids, walks only their groups. The depth guard keeps a parent loop from running
-- forever; the build refuses loops before any view is read.
create or replace macro company_group_members(company_rows, roots := NULL) as table
with recursive walk(group_company_id, member_company_id, depth) as (
    select company_id, company_id, 0 from query_table(company_rows)
    where roots is null or list_contains(roots, company_id)
    union all
    select walk.group_company_id, child.company_id, walk.depth + 1
    from walk
    join query_table(company_rows) as child on child.parent_company_id = walk.member_company_id
    where walk.depth < 50
)
select distinct group_company_id, member_company_id from walk;

-- Every company with the top of its group: itself when it has no parent, else the last
-- ancestor up its chain of parents.
create or replace macro company_group_top(company_rows) as table
with recursive walk(company_id, ancestor_id, depth) as (
    select company_id, company_id, 0 from query_table(company_rows)
    union all
    select walk.company_id, parent.parent_company_id, walk.depth + 1
    from walk
    join query_table(company_rows) as parent on parent.company_id = walk.ancestor_id
    where parent.parent_company_id is not null and walk.depth < 50
)
select company_id, arg_max(ancestor_id, depth) as group_company_id
from walk
group by company_id;
