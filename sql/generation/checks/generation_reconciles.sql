-- Offending requests: each requested set must end as exactly one kept set or one quarantined set, and nothing
-- may be kept or quarantined that was not requested.
with outcomes as (
    select request_id from candidate_sets
    union all
    select request_id from generation_quarantine
),

per_request as (
    select
        r.request_id,
        count(o.request_id) as outcomes
    from generation_requests as r
    left join outcomes as o using (request_id)
    group by r.request_id
),

unrequested as (
    select o.request_id, count(*) as outcomes
    from outcomes as o
    anti join generation_requests as r using (request_id)
    group by o.request_id
),

final as (
    select * from per_request
    where outcomes <> 1
    union all
    select * from unrequested
)

select * from final
