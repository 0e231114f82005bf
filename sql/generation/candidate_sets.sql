-- candidate_sets: one row per requested set that produced four usable answers: per (prompt, sampler) at turn
-- 1 (shared by every annotator shown that prompt), per conversation at later turns. `messages` is what the
-- answers respond to: the conversation so far, ending with the user's turn.
-- Input: `set_rows` registered from Python after generation; sets that failed are in generation_quarantine.
create or replace table candidate_sets as
with final as (
    select
        set_id::varchar as set_id,
        request_id::varchar as request_id,
        prompt_id::varchar as prompt_id,
        conversation_id::varchar as conversation_id,
        lang::varchar as lang,
        turn::bigint as turn,
        sampler::varchar as sampler,
        messages::struct(role varchar, content varchar)[] as messages,
        backend::varchar as backend,
        model::varchar as model,
        template_name::varchar as template_name,
        template_version::bigint as template_version,
        template_sha::varchar as template_sha,
        temperature::double as temperature,
        max_tokens::bigint as max_tokens,
        seeds::bigint[] as seeds,
        requests::bigint as requests,
        tokens_in::bigint as tokens_in,
        tokens_out::bigint as tokens_out,
        generation_seconds::double as generation_seconds
    from set_rows
)

select * from final
order by set_id
