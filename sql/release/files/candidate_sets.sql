-- candidate_sets: one row per released set: the conversation so far and the four answers (position, model,
-- text) with how they were sampled, and the licences of its text.
with released as (
    select
        set_id, any_value(item_id) as item_id, any_value(human_text_license) as human_text_license,
        any_value(model_text_license) as model_text_license
    from release.comparisons
    group by set_id
),

answers as (
    select set_id, list({'position': position, 'model': model, 'text': text} order by position) as answers
    from candidates
    where set_id in (select set_id from released)
    group by set_id
)

select
    s.set_id,
    r.item_id,
    s.prompt_id,
    s.conversation_id,
    s.lang,
    s.turn,
    s.sampler,
    s.backend,
    s.model,
    s.messages,
    a.answers,
    r.human_text_license,
    r.model_text_license
from candidate_sets as s
inner join released as r using (set_id)
inner join answers as a using (set_id)
order by s.set_id
