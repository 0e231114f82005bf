-- task_result_problems: one row per (file line, reason) for task results that cannot become annotations
-- (a read). Inputs registered from Python: `result_rows` (the file's rows), `known_tasks` (the tasks exported
-- so far: task_id, annotator_id or null when any annotator may take it) and `earlier_results` (annotator_id,
-- task_id of results ingested from earlier files).
with rows as (
    select
        source_line,
        nullif(trim(task_id), '') as task_id,
        nullif(trim(annotator_id), '') as annotator_id,
        nullif(trim(chosen), '') as chosen,
        nullif(trim(seconds), '') as seconds,
        nullif(lower(trim(shown_order)), '') as shown_order,
        row_number() over (partition by trim(annotator_id), trim(task_id) order by source_line) as occurrence
    from result_rows
),

final as (
    select source_line, 'missing_field' as reason, 'task_id, annotator_id or chosen is empty' as detail
    from rows
    where task_id is null or annotator_id is null or chosen is null
    union all
    select r.source_line, 'unknown_task', 'task ' || r.task_id || ' was never exported'
    from rows as r
    anti join known_tasks as k using (task_id)
    where r.task_id is not null
    union all
    select r.source_line, 'wrong_annotator', 'task ' || r.task_id || ' belongs to annotator ' || k.annotator_id
    from rows as r
    inner join known_tasks as k using (task_id)
    where k.annotator_id is not null and r.annotator_id is not null and k.annotator_id <> r.annotator_id
    union all
    select source_line, 'bad_label', 'chosen is ' || chosen || ', not a, b, c or d'
    from rows
    where chosen is not null and regexp_replace(lower(chosen), '^response_', '') not in ('a', 'b', 'c', 'd')
    union all
    select source_line, 'bad_shown_order', 'shown_order is ' || shown_order || ', not an order of a, b, c and d'
    from rows
    where shown_order is not null and array_to_string(list_sort(string_split(shown_order, '')), '') <> 'abcd'
    union all
    -- NaN, Infinity and 1e999 (which JSON readers make infinite) are not a duration either.
    select source_line, 'bad_seconds', 'seconds is ' || seconds || ', not a number of seconds'
    from rows
    where
        seconds is not null
        and coalesce(not isfinite(try_cast(seconds as double)) or try_cast(seconds as double) < 0, true)
    union all
    select
        source_line, 'duplicate_submission',
        'annotator ' || annotator_id || ' answered task ' || task_id || ' before'
    from rows as r
    where
        occurrence > 1 or exists (
            select 1 from earlier_results as e
            where e.annotator_id = r.annotator_id and e.task_id = r.task_id
        )
)

select * from final
order by source_line, reason
