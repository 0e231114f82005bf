-- Offending candidate sets: any set without exactly one candidate at each of positions a, b, c, d.
with per_set as (
    select
        s.set_id,
        count(c.candidate_id) as n_candidates,
        count(distinct c.position) as n_positions
    from candidate_sets as s
    left join candidates as c using (set_id)
    group by s.set_id
)

select * from per_set
where n_candidates <> 4 or n_positions <> 4
