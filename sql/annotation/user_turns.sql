-- user_turns: one row per conversation that goes on to this turn: the history so far (ending with the
-- assistant answer the annotator chose) and the user's next message; a null message with a reason when the
-- user simulator never wrote a usable one (the conversation ends there).
create or replace table user_turns as
with final as (
    select
        conversation_id::varchar as conversation_id,
        turn::bigint as turn,
        annotator_id::varchar as annotator_id,
        prompt_id::varchar as prompt_id,
        lang::varchar as lang,
        sampler::varchar as sampler,
        history::struct(role varchar, content varchar)[] as history,
        text::varchar as text,
        source::varchar as source,
        reason::varchar as reason,
        raw_text::varchar as raw_text,
        requests::bigint as requests
    from user_turn_rows
)

select * from final
order by conversation_id
