-- contested_summary: items per sampler and turn, how many several annotators saw, and how many are contested.
select
    sampler,
    turn,
    count(*) as items,
    count(*) filter (where annotations > 1) as items_seen_by_several,
    count(*) filter (where contested) as contested,
    round(avg(entropy_bits), 3) as mean_entropy_bits
from (  -- noqa: AL10
    select distinct item_id, sampler, turn, annotations, contested, entropy_bits
    from aggregates
    where cohort = 'all'
)
group by sampler, turn
order by sampler, turn
