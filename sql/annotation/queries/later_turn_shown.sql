-- later_turn_shown: who is shown which set at a later turn, for the simulated conversations: each
-- conversation's annotator, its own set (a read). People's conversations get their sets through the task
-- export, and their choices from their task results.
select
    u.conversation_id,
    u.annotator_id,
    s.set_id
from user_turns as u
inner join candidate_sets as s using (conversation_id)
where u.source = 'simulator'
order by u.conversation_id
