-- turn_task_results: the ingested task results that answer this turn's candidate sets (a read, resolved in a
-- turn's schema): the human annotations of the turn.
select
    s.set_id,
    s.request_id,
    s.conversation_id,
    r.annotator_id,
    r.chosen_position,
    r.shown_order,
    r.explanation,
    r.seconds,
    r.file_sha,
    r.source_line
from task_results as r
inner join candidate_sets as s on s.set_id = r.task_id
order by r.file_sha, r.source_line
