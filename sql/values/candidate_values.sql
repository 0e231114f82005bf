-- candidate_values: one row per candidate, the Inglehart–Welzel value it expresses according to a judge:
-- a score per axis (about -1 and +1 at the calibration poles) and a label (a pole, none, or unjudged when an
-- LLM judge never gave a usable verdict; its raw output is kept in judge_raw).
-- Input: `value_rows` registered from Python.
create or replace table candidate_values as
with final as (
    select
        candidate_id::varchar as candidate_id,
        judge::varchar as judge,
        trad_secular::double as trad_secular,
        surv_self::double as surv_self,
        pole::varchar as pole,
        judge_raw::varchar as judge_raw
    from value_rows
)

select * from final
order by candidate_id
