-- preference_eval: one row per (sampler, model, cohort): held-out accuracy of a preference model fitted on that
-- sampler's comparisons (training prompts) at predicting the held-out prompts' choices. `pooled` ignores who
-- chose; `cohort` adds a per-country deviation. Input: `eval_rows` registered from Python
-- (defs/analysis/preference_eval.py).
create or replace table preference_eval as
with final as (
    select
        sampler::varchar as sampler,
        model::varchar as model,
        cohort::varchar as cohort,
        train_comparisons::bigint as train_comparisons,
        test_comparisons::bigint as test_comparisons,
        test_prompts::bigint as test_prompts,
        accuracy::double as accuracy,
        top1_accuracy::double as top1_accuracy,
        chance::double as chance,
        note::varchar as note
    from eval_rows
)

select * from final
order by sampler, model, cohort
