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

-- The mean of scores given to a tenth (claim gap scores), rounded half up to a tenth, computed
-- exactly in whole tenths: a binary floating-point mean of 25.9 and 32.4 is 29.149999..., which
-- would round down where the mean is 29.15.
-- Empty scores are not counted; with none, the mean is empty.
create or replace macro mean_to_tenth(score) as
    case when count(score) > 0 then
        ((2 * sum(round(score * 10)::bigint) + count(score)) // (2 * count(score))) / 10.0
    end;

-- The company_ids of a list, as rows, for `company_id in (select company_id from
-- listed_companies(companies))`. Written as `in (select unnest(companies))`, DuckDB rewrites the
-- filter to list_contains, and when the list is itself a subquery (company_gap_as_of passes its
-- groups' members) that becomes a nested-loop join: a minute, not a second, per 1,000 companies
-- at 10 million claims.
create or replace macro listed_companies(companies) as table
select unnest(companies) as company_id;

-- The company groups: every company with each company below it through parent_company_id, to
-- any depth, itself included. `company_rows` names a table, view or CTE with company_id and
-- parent_company_id (the current companies, or their versions on a date); `roots`, a list of
-- company_ids, walks only their groups. The depth guard keeps a parent loop from running
-- forever; the build refuses loops before any view is read.
create or replace macro company_group_members(company_rows, roots := NULL) as table
-- query_table is read into a plain CTE before it is aliased: DuckDB 1.1 to 1.3 drop an alias
-- given to query_table itself ("Referenced table child not found").
with recursive company_links as (
    select company_id, parent_company_id from query_table(company_rows)
),

walk(group_company_id, member_company_id, depth) as (
    select company_id, company_id, 0 from company_links
    where roots is null or company_id in (select company_id from listed_companies(roots))
    union all
    select walk.group_company_id, child.company_id, walk.depth + 1
    from walk
    join company_links as child on child.parent_company_id = walk.member_company_id
    where walk.depth < 50
)

select distinct group_company_id, member_company_id from walk;

-- Every node with each node above it through parent_id, to any depth, itself at depth 0: the
-- one walk up a chain of parents (company groups, a source's based_on chain). `link_rows` names
-- a table, view or CTE with node_id and parent_id. The depth guard keeps a loop from running
-- forever; the build refuses loops before any view is read.
create or replace macro ancestor_chain(link_rows) as table
with recursive links as (
    select node_id, parent_id from query_table(link_rows)
),

walk(node_id, ancestor_id, depth) as (
    select node_id, node_id, 0 from links
    union all
    select walk.node_id, parent.parent_id, walk.depth + 1
    from walk
    join links as parent on parent.node_id = walk.ancestor_id
    where parent.parent_id is not null and walk.depth < 50
)

select node_id, ancestor_id, depth from walk;

-- Every node with the last ancestor up its chain of parents (itself when it has none).
create or replace macro chain_top(link_rows) as table
select node_id, arg_max(ancestor_id, depth) as top_id
from ancestor_chain(link_rows)
group by node_id;

-- Every company with the top of its group: itself when it has no parent, else the last
-- ancestor up its chain of parents.
create or replace macro company_group_top(company_rows) as table
with company_links as (
    select company_id as node_id, parent_company_id as parent_id from query_table(company_rows)
)
select node_id as company_id, top_id as group_company_id
from chain_top('company_links');

-- Whether a quote holds the company's own words: as it said them, or as a source translated
-- them. A paraphrase, a back-translation or a headline is someone else's sentence, and a claim
-- known only through one is never scored 'contradicted'.
create or replace macro holds_own_words(quote_kind) as
    coalesce(quote_kind in ('verbatim', 'translation'), false);

-- Review statuses in order of how well a record was checked: 4 verified, 3 partially_verified,
-- 2 secondary_only, 1 needs_review. A record is as checked as the weakest thing it rests on.
create or replace macro review_rank(status) as
    case status
        when 'verified' then 4
        when 'partially_verified' then 3
        when 'secondary_only' then 2
        when 'needs_review' then 1
    end;

create or replace macro review_status_of_rank(rank) as
    case rank
        when 4 then 'verified'
        when 3 then 'partially_verified'
        when 2 then 'secondary_only'
        when 1 then 'needs_review'
    end;

-- A date as a person writes it, as precisely as it is known: 15 March 2023, March 2023, 2023.
create or replace macro date_in_words(item_date, item_date_precision) as
    case item_date_precision
        when 'day' then strftime(item_date, '%-d %B %Y')
        when 'month' then strftime(item_date, '%B %Y')
        when 'year' then strftime(item_date, '%Y')
    end;

-- The source each source rests on at the end of its based_on_source_id chain (itself when it
-- is an original): a translation, mirror or report counts as what it translates or reports on.
-- `source_rows` names a table, view or CTE of sources.
create or replace macro source_origins(source_rows) as table
with source_links as (
    select source_id as node_id, based_on_source_id as parent_id from query_table(source_rows)
)
select node_id as source_id, top_id as origin_id
from chain_top('source_links');

-- What each source rests on, along its whole based_on_source_id chain (itself included):
-- floor_rank, the weakest review status on the chain (a source is as checked as what it
-- translates or reports on); published_end, the latest day the chain's publications were all
-- out; recorded_on, the source's own. The build derives effective review status and the
-- published clock from it, and the report shows each source's status from it.
create or replace macro source_floor(source_rows) as table
with source_links as (
    select source_id, based_on_source_id, review_status, published_date,
           published_date_precision, recorded_on
    from query_table(source_rows)
),

chain_links as (
    select source_id as node_id, based_on_source_id as parent_id from source_links
)

select chain.node_id as source_id,
       min(review_rank(source.review_status)) as floor_rank,
       max(date_period_end(source.published_date, source.published_date_precision))
           as published_end,
       max(source.recorded_on) filter (where chain.depth = 0) as recorded_on
from ancestor_chain('chain_links') as chain
join source_links as source on source.source_id = chain.ancestor_id
group by chain.node_id;

-- Whether a voice speaks first-hand in a source of this type (the company in its own report, a
-- regulator in its own order, a journalist in their own investigation); otherwise the source
-- relays someone else's words or findings.
create or replace macro first_hand(voice, source_type) as
    case voice
        when 'company' then source_type in ('company_report', 'company_statement', 'company_marketing')
        when 'company_agent' then source_type in ('company_report', 'company_statement',
                                                  'company_marketing', 'leaked_document')
        when 'government' then source_type in ('regulator_action', 'government_list',
                                               'legislative_report')
        when 'court' then source_type = 'court_action'
        when 'third_party' then source_type in ('investigative_journalism', 'research_report',
                                                'leaked_document')
        else false
    end;

-- The package's own table or view `name`, fully qualified, for query_table: a macro is expanded
-- inside the caller's query, where `WITH claims AS (...)` would otherwise be read in place of
-- the table, and query_table reads such a CTE even for 'main.claims'. The database is named as
-- the file was (any character, a double quote doubled). DuckDB before 1.4 reads the whole
-- string as one table name, so older clients get the bare name, and the old behaviour.
create or replace macro package_table(name) as
    case when version() < 'v1.4' then name
         else '"' || replace(current_database(), '"', '""') || '".main.' || name
    end;

-- The clock an as-of macro was asked for, or an error that names the two there are: NULL too,
-- since `clock := getvariable('clock')` with the variable unset must not read as an empty answer.
create or replace macro checked_clock(clock) as
    case when clock in ('published', 'released') then clock::varchar
         else error('clock must be ''published'' or ''released'', not '
                    || coalesce('''' || clock::varchar || '''', 'NULL'))
    end;

-- The clock a score says it was read on: with as_of NULL, what the package holds now, the same
-- on either clock (as the stored rows say).
create or replace macro clock_label(as_of, clock) as
    case when as_of is null then 'published' else checked_clock(clock) end;

-- The rows of a versioned table known on `as_of` on a clock, without their history columns:
-- - as_of NULL: the current version of every record (what the package says now);
-- - clock 'published' (the default): the current version, as the package knows it today; the
--   caller keeps the records public by as_of (public_from);
-- - clock 'released': the version this package had released by as_of.
-- Retracted records are left out either way (a retraction is itself a version).
create or replace macro known_rows(base, as_of, clock) as table
select * exclude (version, valid_from, valid_to, change, change_reason,
                  released_in, released_from, released_to)
from query_table(package_table(base || '_history'))
where retracted_on is null
  and case
        when as_of is null or clock = 'published' then valid_to is null
        when clock = 'released' then released_from is not null
                                     and version_current_on(released_from, released_to, as_of)
        else checked_clock(clock) is null
      end;

-- The date the groups and sources behind a score or story are read on: as_of on the released
-- clock (as released then); NULL otherwise, since the published clock reads every record as the
-- package knows it today.
create or replace macro released_as_of(as_of, clock) as
    case when clock = 'released' then as_of::date end;

-- The records of `base` (claims, evidence, responses) a story tells, for the companies listed
-- (NULL: all): on as_of NULL, every current record, retracted ones included (a story shows a
-- retraction, marked); on a date, the versions known then, on the clock asked for.
create or replace macro story_rows(base, as_of, companies, clock) as table
select * from query_table(package_table(base))
where as_of is null and (companies is null or company_id in (select company_id from listed_companies(companies)))
union all
select * from known_rows(base, as_of, clock)
where as_of is not null and (companies is null or company_id in (select company_id from listed_companies(companies)))
  and (clock != 'published' or public_from <= as_of);
