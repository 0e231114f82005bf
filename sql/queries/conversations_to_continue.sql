-- conversations_to_continue: every simulated conversation annotated at the previous turn, with its history so
-- far: the messages its set answered plus the answer the annotator chose, now the assistant's turn (a read).
select
    an.conversation_id,
    an.annotator_id,
    s.prompt_id,
    s.lang,
    s.sampler,
    list_append(s.messages, {'role': 'assistant', 'content': c.text}) as history
from annotations as an
inner join candidate_sets as s using (set_id)
inner join candidates as c
    on c.set_id = an.set_id and c.position = an.chosen_position
where an.source = 'simulated'
order by an.conversation_id
