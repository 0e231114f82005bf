-- Offending requests: every requested (prompt, turn, sampler) must end as a set of exactly 4 candidates in the
-- prompt's language (answers too short to identify count as in language), or as a quarantine entry
-- explaining why not.
with kept as (
    select
        s.prompt_id,
        s.turn,
        s.sampler,
        d.set_id,
        d.candidates,
        d.answers_in_language
    from candidate_sets as s
    left join set_diversity as d using (set_id)
),

final as (
    select
        r.prompt_id,
        r.turn,
        r.sampler,
        k.set_id,
        k.candidates,
        k.answers_in_language
    from generation_requests as r
    left join kept as k using (prompt_id, turn, sampler)
    anti join generation_quarantine as q using (prompt_id, turn, sampler)
    where k.set_id is null or k.candidates is null or k.candidates <> 4 or k.answers_in_language <> 4
)

select * from final
order by prompt_id, turn, sampler
