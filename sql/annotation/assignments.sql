-- assignments: one row per conversation: which annotator is shown which first-turn candidate set.
create or replace table assignments as
with final as (
    select
        conversation_id::varchar as conversation_id,
        annotator_id::varchar as annotator_id,
        set_id::varchar as set_id,
        prompt_id::varchar as prompt_id,
        lang::varchar as lang,
        country::varchar as country,
        sampler::varchar as sampler
    from assignment_rows
)

select * from final
order by conversation_id
