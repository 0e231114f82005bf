-- generation_quarantine: one row per requested set whose output stayed unusable after every retry, with the
-- last raw model text and the reason. Requested sets = candidate_sets + these rows.
create or replace table generation_quarantine as
with final as (
    select
        request_id::varchar as request_id,
        prompt_id::varchar as prompt_id,
        conversation_id::varchar as conversation_id,
        turn::bigint as turn,
        sampler::varchar as sampler,
        reason::varchar as reason,
        raw_text::varchar as raw_text,
        requests::bigint as requests
    from quarantine_rows
)

select * from final
order by request_id
