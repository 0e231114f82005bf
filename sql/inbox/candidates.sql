-- human.candidates: one row per response shown in a human file's turn, at position a–d (model unknown).
create or replace table candidates as
with final as (
    select
        sha256(s.set_id || ':' || p.position)[:16]::varchar as candidate_id,
        s.set_id::varchar as set_id,
        p.position::varchar as position,
        'unknown'::varchar as model,
        p.text::varchar as text
    from candidate_sets as s
    inner join main.human_turns as t
        on t.file_sha = s.file_sha and t.source_line = s.source_line and t.turn = s.turn
    cross join lateral (
        values ('a', t.response_a), ('b', t.response_b), ('c', t.response_c), ('d', t.response_d)
    ) as p (position, text)
)

select * from final
order by candidate_id
