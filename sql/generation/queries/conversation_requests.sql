-- conversation_requests: the candidate sets a later turn asks for, one per conversation whose user turn was
-- written: its history plus the new user message, under the sampler its first turn used (a read, not a table).
select
    prompt_id,
    lang,
    sampler,
    conversation_id,
    list_append(history, {'role': 'user', 'content': text}) as messages
from user_turns
where text is not null
order by conversation_id
