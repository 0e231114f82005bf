-- human_conversations_to_continue: human conversations annotated at the previous turn whose annotator wrote a
-- next message, with the history so far (a read, resolved in the previous turn's schema).
select
    an.conversation_id,
    an.annotator_id,
    s.prompt_id,
    s.lang,
    s.sampler,
    list_append(s.messages, {'role': 'assistant', 'content': c.text}) as history,
    r.next_message as text
from annotations as an
inner join candidate_sets as s using (set_id)
inner join candidates as c
    on c.set_id = an.set_id and c.position = an.chosen_position
inner join task_results as r
    on r.task_id = an.set_id and r.annotator_id = an.annotator_id
where an.source = 'human' and r.next_message is not null
order by an.conversation_id
