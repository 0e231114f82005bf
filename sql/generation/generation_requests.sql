-- generation_requests: one row per candidate set a turn's generation run was asked for: (prompt, sampler) at
-- turn 1, (conversation) at later turns. The denominator of "requested = kept + quarantined"
-- (checks/generation_reconciles.sql).
create or replace table generation_requests as
with final as (
    select
        request_id::varchar as request_id,
        prompt_id::varchar as prompt_id,
        conversation_id::varchar as conversation_id,
        turn::bigint as turn,
        sampler::varchar as sampler
    from request_rows
)

select * from final
order by request_id
