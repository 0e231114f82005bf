-- conversations_to_continue: every conversation annotated at the previous turn, with its history so far (the
-- messages its set answered plus the answer the annotator chose, now the assistant's turn), who annotated it
-- and, for a person, the next message their task result carries (a read, resolved in the previous turn's
-- schema). Simulated ones go on by `continue_share`; people's go on when they wrote a next message.
select
    an.conversation_id,
    an.annotator_id,
    an.source,
    s.prompt_id,
    s.lang,
    s.sampler,
    list_append(s.messages, {'role': 'assistant', 'content': c.text}) as history,
    r.next_message
from annotations as an
inner join candidate_sets as s using (set_id)
inner join candidates as c
    on c.set_id = an.set_id and c.position = an.chosen_position
left join task_results as r
    on an.source = 'human' and r.task_id = an.set_id and r.annotator_id = an.annotator_id
order by an.conversation_id
