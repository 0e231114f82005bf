-- candidate_values: one row per candidate, the Inglehart–Welzel value it expresses according to a judge.
-- Input: `value_rows` registered from Python.
create or replace table candidate_values as
with final as (
    select
        candidate_id::varchar as candidate_id,
        judge::varchar as judge,
        trad_secular::double as trad_secular,
        surv_self::double as surv_self,
        pole::varchar as pole
    from value_rows
)

select * from final
order by candidate_id
