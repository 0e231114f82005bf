-- calibration_set: one row per labelled text of the shipped calibration set (prompts/judge/calibration/),
-- what the value judges are calibrated and scored on. Input: `calibration_rows` registered from Python.
create or replace table calibration_set as
with final as (
    select
        item_id::varchar as item_id,
        lang::varchar as lang,
        topic::varchar as topic,
        pole::varchar as pole,
        text::varchar as text
    from calibration_rows
)

select * from final
order by lang, item_id
