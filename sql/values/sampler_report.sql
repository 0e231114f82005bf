-- sampler_report: one row per (sampler, language), plus lang = 'all' per sampler: the paper's comparison of
-- samplers. coverage_<pole> is coverage@4: the share of kept sets with at least one candidate the value judge
-- labels with that pole. quarantine_rate is quarantined / requested (prompt, turn) pairs.
create or replace table sampler_report as
with requests as (
    select
        r.sampler,
        p.lang,
        count(*) as requested,
        count(q.prompt_id) as quarantined
    from generation_requests as r
    inner join prompts as p using (prompt_id)
    left join generation_quarantine as q using (request_id)
    group by grouping sets ((r.sampler, p.lang), (r.sampler))
),

set_poles as (
    select
        c.set_id,
        bool_or(v.pole = 'traditional') as has_traditional,
        bool_or(v.pole = 'secular_rational') as has_secular_rational,
        bool_or(v.pole = 'survival') as has_survival,
        bool_or(v.pole = 'self_expression') as has_self_expression
    from candidates as c
    inner join candidate_values as v using (candidate_id)
    group by c.set_id
),

sets as (
    select
        d.sampler,
        d.lang,
        count(*) as kept,
        avg(d.mean_pairwise_distance) as mean_pairwise_distance,
        avg(d.min_pairwise_distance) as min_pairwise_distance,
        avg(d.distinct_2) as distinct_2,
        avg(d.poles_covered) as poles_covered,
        avg(d.homogeneous::int) as homogeneous_share,
        avg(p.has_traditional::int) as coverage_traditional,
        avg(p.has_secular_rational::int) as coverage_secular_rational,
        avg(p.has_survival::int) as coverage_survival,
        avg(p.has_self_expression::int) as coverage_self_expression
    from set_diversity as d
    inner join set_poles as p using (set_id)
    group by grouping sets ((d.sampler, d.lang), (d.sampler))
),

final as (
    select
        r.sampler::varchar as sampler,
        coalesce(r.lang, 'all')::varchar as lang,
        r.requested::bigint as requested,
        coalesce(s.kept, 0)::bigint as kept,
        r.quarantined::bigint as quarantined,
        (r.quarantined / r.requested)::double as quarantine_rate,
        s.mean_pairwise_distance::double as mean_pairwise_distance,
        s.min_pairwise_distance::double as min_pairwise_distance,
        s.distinct_2::double as distinct_2,
        s.poles_covered::double as poles_covered,
        s.homogeneous_share::double as homogeneous_share,
        s.coverage_traditional::double as coverage_traditional,
        s.coverage_secular_rational::double as coverage_secular_rational,
        s.coverage_survival::double as coverage_survival,
        s.coverage_self_expression::double as coverage_self_expression
    from requests as r
    left join sets as s
        on s.sampler = r.sampler and s.lang is not distinct from r.lang
)

select * from final
order by sampler, lang = 'all', lang
