-- later_turn_shown: who is shown which set at a later turn: each conversation's annotator, its own set (a read).
select
    u.conversation_id,
    u.annotator_id,
    s.set_id
from user_turns as u
inner join candidate_sets as s using (conversation_id)
order by u.conversation_id
