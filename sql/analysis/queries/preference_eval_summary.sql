-- preference_eval_summary: held-out pairwise accuracy over all cohorts per sampler, pooled vs cohort model, with
-- how many comparisons each was trained and tested on (the demo's are a handful: read them as a smoke test).
select
    sampler,
    any_value(train_comparisons) as train_comparisons,
    any_value(test_comparisons) as test_comparisons,
    round(max(accuracy) filter (where model = 'pooled'), 3) as pooled_accuracy,
    round(max(accuracy) filter (where model = 'cohort'), 3) as cohort_accuracy
from preference_eval
where cohort = 'all'
group by sampler
order by sampler
