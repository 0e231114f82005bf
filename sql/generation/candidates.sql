-- candidates: one row per answer in a candidate set, at its position a–d.
-- Input: `candidate_rows` registered from Python after generation.
create or replace table candidates as
with final as (
    select
        candidate_id::varchar as candidate_id,
        set_id::varchar as set_id,
        position::varchar as position,
        model::varchar as model,
        text::varchar as text
    from candidate_rows
)

select * from final
order by set_id, position
