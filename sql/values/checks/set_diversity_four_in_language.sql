-- Offending requests: every requested set must end as a set of exactly 4 candidates in the
-- prompt's language (answers too short to identify count as in language), or as a quarantine entry
-- explaining why not.
with kept as (
    select
        s.request_id,
        d.set_id,
        d.candidates,
        d.answers_in_language
    from candidate_sets as s
    left join set_diversity as d using (set_id)
),

final as (
    select
        r.request_id,
        r.prompt_id,
        r.turn,
        r.sampler,
        k.set_id,
        k.candidates,
        k.answers_in_language
    from generation_requests as r
    left join kept as k using (request_id)
    anti join generation_quarantine as q using (request_id)
    where k.set_id is null or k.candidates is null or k.candidates <> 4 or k.answers_in_language <> 4
)

select * from final
order by request_id
