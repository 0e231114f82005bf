-- Offending requests: each requested (prompt, turn, sampler) must end as exactly one kept set or one
-- quarantined set, and nothing may be kept or quarantined that was not requested.
with outcomes as (
    select prompt_id, turn, sampler from candidate_sets
    union all
    select prompt_id, turn, sampler from generation_quarantine
),

per_request as (
    select
        r.prompt_id,
        r.turn,
        r.sampler,
        count(o.prompt_id) as outcomes
    from generation_requests as r
    left join outcomes as o using (prompt_id, turn, sampler)
    group by r.prompt_id, r.turn, r.sampler
),

unrequested as (
    select o.prompt_id, o.turn, o.sampler, count(*) as outcomes
    from outcomes as o
    anti join generation_requests as r using (prompt_id, turn, sampler)
    group by o.prompt_id, o.turn, o.sampler
),

final as (
    select * from per_request where outcomes <> 1
    union all
    select * from unrequested
)

select * from final
