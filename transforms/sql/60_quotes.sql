-- quotes: every quote in the package, claims, evidence and replies alike, with whose words it
-- holds and a link a reader can follow, ready to paste into a story. Only a verbatim quote of the
-- company's own voice is the company's own words (company_own_words); a translation, a
-- back-translation, a headline or a source's paraphrase never is.
create or replace view quotes as
with

-- import ------------------------------------------------------------------------------------
origins as (
    select * from source_origins('sources')
),

-- A source without an address of its own is cited through the original it translates or
-- reports on.
citable as (
    select
        source.source_id,
        coalesce(source.url, source.archived_url, original.url, original.archived_url)
            as citable_url
    from sources as source
    left join origins using (source_id)
    left join sources as original on original.source_id = origins.origin_id
),

-- logic -------------------------------------------------------------------------------------
quoted as (
    select 'claims' as table_name, claim_id as record_id, company_id, 'company' as voice,
           quote, quote_lang, quote_kind, quote_en, quote_en_origin,
           claim_date as said_on, claim_date_precision as said_on_precision, source_id,
           effective_review_status, retracted_on
    from claims where quote is not null
    union all
    select 'evidence', evidence_id, company_id, voice,
           quote, quote_lang, quote_kind, quote_en, quote_en_origin,
           evidence_date, evidence_date_precision, source_id,
           effective_review_status, retracted_on
    from evidence where quote is not null
    union all
    select 'responses', response_id, company_id, 'company',
           quote, quote_lang, quote_kind, quote_en, quote_en_origin,
           response_date, response_date_precision, source_id,
           effective_review_status, retracted_on
    from responses where quote is not null
),

final as (
    select
        quoted.table_name,
        quoted.record_id,
        quoted.company_id,
        quoted.voice,
        quoted.quote,
        quoted.quote_lang,
        quoted.quote_kind,
        quoted.quote_en,
        quoted.quote_en_origin,
        coalesce(date_in_words(quoted.said_on, quoted.said_on_precision), 'undated') as said_on,
        quoted.source_id,
        citable.citable_url,
        quoted.effective_review_status,
        quoted.quote_kind = 'verbatim' and quoted.voice = 'company' as company_own_words,
        quoted.retracted_on
    from quoted
    left join citable using (source_id)
)

select * from final
order by company_id, table_name, record_id;
