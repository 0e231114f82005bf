-- generation_requests: one row per (prompt, turn, sampler) the last generation run was asked to sample: the
-- denominator of "requested = kept + quarantined" (see checks/generation_reconciles.sql).
create or replace table generation_requests as
with final as (
    select
        prompt_id::varchar as prompt_id,
        turn::bigint as turn,
        sampler::varchar as sampler
    from request_rows
)

select * from final
order by prompt_id, turn, sampler
