-- release_texts: every distinct text a release would carry that may hold a personal detail, per conversation and
-- set: the user turns of the conversation so far, both answers of each comparison and the explanations. The PII
-- scan runs its rules (defs/release/pii.py) on these: $maybe_pii is its MAYBE_PII, which every finding matches, so the
-- texts left out here (nearly all) have none, and Python never sees them.
with texts as (
    select
        conversation_id, set_id, 'prompt' as field,  -- noqa: RF03
        unnest(
            list_transform(list_filter(messages, lambda m: m.role = 'user'), lambda m: m.content)  -- noqa: RF03
        ) as text
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
where regexp_matches(text, $maybe_pii)
order by conversation_id, set_id, field, text
