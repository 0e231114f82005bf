-- release_texts: every distinct text a release would carry, per conversation and set: the user turns of the
-- conversation so far, both answers of each comparison and the explanations (the PII scan reads these).
with texts as (
    select conversation_id, set_id, 'prompt' as field, unnest(list_transform(list_filter(messages, lambda m: m.role = 'user'), lambda m: m.content)) as text
    from comparisons
    union all
    select conversation_id, set_id, 'response' as field, chosen_text as text
    from comparisons
    union all
    select conversation_id, set_id, 'response' as field, rejected_text as text
    from comparisons
    union all
    select conversation_id, set_id, 'explanation' as field, explanation as text
    from comparisons
    where explanation is not null
)

select distinct conversation_id, set_id, field, text
from texts
order by conversation_id, set_id, field, text
