-- earlier_results: (annotator, task) pairs already ingested from earlier files (a read).
select annotator_id, task_id
from task_results
