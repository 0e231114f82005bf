-- known_tasks: the tasks exported so far, to check task results against (a read; empty before any export).
select task_id, annotator_id
from annotation_tasks
