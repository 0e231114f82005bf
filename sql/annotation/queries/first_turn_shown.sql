-- first_turn_shown: who is shown which set at turn 1: the assignments (a read, not a table).
select conversation_id, annotator_id, set_id
from assignments
order by conversation_id
