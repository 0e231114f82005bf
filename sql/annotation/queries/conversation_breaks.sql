-- conversation_breaks: later-turn candidate sets whose messages are not exactly the conversation before them:
-- the previous turn's set messages, the answer chosen there, then the user's new message. Zero rows is a
-- continuous protocol (a read, used by tests and analysts).
with previous as (
    select
        an.conversation_id,
        an.turn + 1 as next_turn,
        list_append(s.messages, {'role': 'assistant', 'content': c.text}) as history
    from annotations as an
    inner join candidate_sets as s using (set_id)
    inner join candidates as c on c.set_id = an.set_id and c.position = an.chosen_position
)

select
    s.conversation_id,
    s.turn
from candidate_sets as s
left join previous as p
    on p.conversation_id = s.conversation_id and p.next_turn = s.turn
inner join user_turns as u
    on u.conversation_id = s.conversation_id and u.turn = s.turn
where s.turn > 1
    and (p.history is null or s.messages <> list_append(p.history, {'role': 'user', 'content': u.text}))
