-- gold_items: one row per attention-check item (prompts/gold/<lang>.jsonl, written for this project): a prompt
-- and four responses of which exactly one is the right pick. Input: `gold_rows` registered from Python.
create or replace table gold_items as
with final as (
    select
        item_id::varchar as item_id,
        lang::varchar as lang,
        prompt::varchar as prompt,
        response_a::varchar as response_a,
        response_b::varchar as response_b,
        response_c::varchar as response_c,
        response_d::varchar as response_d,
        correct_position::varchar as correct_position
    from gold_rows
)

select * from final
order by item_id
