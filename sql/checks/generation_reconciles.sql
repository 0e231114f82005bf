-- Offending (prompt, turn, sampler) requests: generated sets plus quarantined sets must account for each
-- request exactly once (requested = kept + quarantined), for every sampler that ran.
with outcomes as (
    select prompt_id, turn, sampler, 'kept' as outcome from candidate_sets
    union all
    select prompt_id, turn, sampler, 'quarantined' as outcome from generation_quarantine
),

requested as (
    select distinct o.prompt_id, o.turn, s.sampler
    from outcomes as o
    cross join (select distinct sampler from outcomes) as s
),

final as (
    select
        r.prompt_id,
        r.turn,
        r.sampler,
        count(o.outcome) as outcomes
    from requested as r
    left join outcomes as o using (prompt_id, turn, sampler)
    group by r.prompt_id, r.turn, r.sampler
)

select * from final
where outcomes <> 1
