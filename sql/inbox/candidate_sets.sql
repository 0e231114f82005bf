-- human.candidate_sets: one row per (conversation, turn) of the human files (main.human_turns): the four
-- responses the annotator was shown form a set, and `messages` is the conversation up to that turn (earlier
-- prompts, the responses chosen then, this turn's prompt). The files do not say which sampler or model wrote
-- the responses: sampler 'unknown', backend 'file', generation columns null.
create or replace table candidate_sets as
with turns as (
    select
        *,
        sha256(file_sha || ':' || source_line || ':' || turn)[:16] as set_id,
        sha256(file_sha || ':' || conversation_id)[:16] as conversation_key,
        case preferred
            when 'response_a' then response_a
            when 'response_b' then response_b
            when 'response_c' then response_c
            else response_d
        end as chosen_text
    from main.human_turns
),

with_history as (
    select
        *,
        first_value(prompt) over conversation as first_prompt,
        coalesce(
            flatten(
                list([{'role': 'user', 'content': prompt}, {'role': 'assistant', 'content': chosen_text}]) over earlier
            ),
            []
        ) as history
    from turns
    window
        conversation as (partition by file_sha, source_line order by turn),
        earlier as (partition by file_sha, source_line order by turn rows between unbounded preceding and 1 preceding)
),

final as (
    select
        set_id::varchar as set_id,
        set_id::varchar as request_id,
        sha256(assigned_lang || ':' || first_prompt)[:16]::varchar as prompt_id,
        conversation_key::varchar as conversation_id,
        assigned_lang::varchar as lang,
        turn::bigint as turn,
        'unknown'::varchar as sampler,
        list_append(history, {'role': 'user', 'content': prompt})::struct(role varchar, content varchar)[] as messages,
        'file'::varchar as backend,
        null::varchar as model,
        file_sha::varchar as file_sha,
        source_line::bigint as source_line
    from with_history
)

select * from final
order by set_id
