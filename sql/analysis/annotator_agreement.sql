-- annotator_agreement (view): per annotator, on the items someone else also annotated, the share of the other
-- annotators who chose the same answer (leave-one-out: 1 = everyone else agreed, 0 = nobody did), with their
-- country, source and quality score. Low agreement is not a quality failure by itself: in pluralistic data it
-- can be a minority view; read it beside annotator_quality.
create or replace view annotator_agreement as
with choices as (
    select distinct annotation_id, annotator_id, item_id, sha256(chosen_text)[:16] as answer_key
    from comparisons
),

shared as (
    select
        c.annotator_id,
        (g.votes - 1) / (g.annotations - 1) as agreement
    from choices as c
    inner join aggregates as g
        on g.item_id = c.item_id and g.cohort = 'all' and g.answer_key = c.answer_key
    where g.annotations > 1
)

select
    a.annotator_id,
    a.country,
    a.source,
    count(*) as shared_items,
    round(avg(s.agreement), 3) as agreement_with_others,
    q.quality_score
from shared as s
inner join annotators as a using (annotator_id)
left join annotator_quality as q using (annotator_id)
group by a.annotator_id, a.country, a.source, q.quality_score
order by agreement_with_others, a.annotator_id
