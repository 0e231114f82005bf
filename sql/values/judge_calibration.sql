-- judge_calibration: one row per (judge, language, measure): how often the judge agrees with the calibration
-- set's labels. Measures: trad_secular and surv_self (sign of the axis score on items labelled with one of
-- the axis' poles; chance 0.5) and label (five-way: four poles or none; chance = the commonest label's share).
-- Input: `accuracy_rows` registered from Python.
create or replace table judge_calibration as
with final as (
    select
        judge::varchar as judge,
        lang::varchar as lang,
        measure::varchar as measure,
        items::bigint as items,
        correct::bigint as correct,
        accuracy::double as accuracy,
        chance::double as chance
    from accuracy_rows
)

select * from final
order by judge, lang, measure
