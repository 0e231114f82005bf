-- quality_summary: per source, annotations kept and quarantined (by first reason), and annotators who failed
-- quality control against those the simulation made careless (a read, for the demo summary and analysts).
with per_annotation as (
    select
        an.source,
        coalesce(q.reason, 'kept') as outcome
    from annotations as an
    left join quality_quarantine as q using (annotation_id)
),

outcomes as (
    pivot per_annotation on outcome using count(*)
    group by source
),

people as (
    select
        q.source,
        count(*) filter (where not q.passed) as annotators_failed,
        count(*) filter (where a.careless) as annotators_careless,
        count(*) filter (where a.careless and not q.passed) as careless_caught
    from annotator_quality as q
    inner join annotators as a using (annotator_id)
    group by q.source
)

select *
from outcomes
left join people using (source)
order by source
