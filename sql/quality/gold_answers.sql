-- gold_answers: one row per (annotator, attention-check item) answered: the position chosen, whether it was
-- the right one, and the seconds taken; simulated annotators' answers (`answer_rows`, registered from Python)
-- and people's, from their task results.
create or replace table gold_answers as
with answers as (
    select annotator_id, item_id, chosen_position, seconds, 'simulated' as source
    from answer_rows
    union all
    select annotator_id, task_id, chosen_position, seconds, 'human'
    from task_results
    where task_id in (select item_id from gold_items)
),

final as (
    select
        a.annotator_id::varchar as annotator_id,
        a.item_id::varchar as item_id,
        a.source::varchar as source,
        a.chosen_position::varchar as chosen_position,
        (a.chosen_position = g.correct_position)::boolean as correct,
        a.seconds::double as seconds
    from answers as a
    inner join gold_items as g using (item_id)
)

select * from final
order by annotator_id, item_id
