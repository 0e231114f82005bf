-- annotator_quality: one row per annotator with annotations or attention-check answers: choices per position shown,
-- the most-chosen position's share and a chi-square p-value against uniform (position bias), attention-check
-- accuracy, median seconds and the share of too-fast choices, flags, a quality score in [0, 1] (the mean of the
-- components the annotator has data for) and whether they passed. Input: `quality_rows` from Python.
create or replace table annotator_quality as
with final as (
    select
        annotator_id::varchar as annotator_id,
        source::varchar as source,
        country::varchar as country,
        annotations::bigint as annotations,
        shown_1::bigint as shown_1,
        shown_2::bigint as shown_2,
        shown_3::bigint as shown_3,
        shown_4::bigint as shown_4,
        max_position_share::double as max_position_share,
        position_p_value::double as position_p_value,
        gold_answered::bigint as gold_answered,
        gold_correct::bigint as gold_correct,
        gold_accuracy::double as gold_accuracy,
        median_seconds::double as median_seconds,
        timed::bigint as timed,
        too_fast::bigint as too_fast,
        too_fast_share::double as too_fast_share,
        quality_score::double as quality_score,
        flags::varchar[] as flags,
        passed::boolean as passed
    from quality_rows
)

select * from final
order by annotator_id
