-- judge_accuracy_summary: each judge's accuracy over all languages, one column per measure, shown next to
-- the sampler report so a reader knows how far to trust coverage@4 (a read, not a table).
pivot (
    select judge, measure, round(accuracy, 3) as accuracy
    from judge_calibration
    where lang = 'all'
)
on measure
using first(accuracy)
order by judge
