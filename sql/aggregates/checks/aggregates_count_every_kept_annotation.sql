-- Offending (item, cohort): the votes of an item's answers add up to its annotations, and its annotations are
-- the kept annotations of that item (comparisons has three rows per kept annotation), overall and per country.
with kept as (
    select item_id, 'all' as cohort, count(distinct annotation_id) as kept
    from comparisons
    group by item_id
    union all
    select item_id, coalesce(country, 'unknown') as cohort, count(distinct annotation_id) as kept
    from comparisons
    group by item_id, coalesce(country, 'unknown')
),

counted as (
    select item_id, cohort, any_value(annotations) as annotations, sum(votes) as votes
    from aggregates
    group by item_id, cohort
)

select k.item_id, k.cohort, k.kept, c.annotations, c.votes
from kept as k
full outer join counted as c using (item_id, cohort)
where c.annotations is distinct from k.kept or c.votes is distinct from k.kept
