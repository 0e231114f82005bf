-- comparisons: one row per (kept annotation, rejected candidate): each best-of-4 choice that passed quality
-- control expands to three (chosen, rejected) pairs, with the conversation up to that turn (`messages`, ending
-- with the user's turn, whose text is `prompt_text`), the annotator's cohort, the sampler and the model of each
-- side (they differ for multi_model sets; `model` is the set's).
create or replace table comparisons as
with chosen as (
    select
        an.annotation_id,
        an.conversation_id,
        an.annotator_id,
        an.set_id,
        an.source,
        an.explanation,
        an.chosen_position,
        c.model as chosen_model,
        c.text as chosen_text
    from annotations as an
    inner join candidates as c
        on c.set_id = an.set_id and c.position = an.chosen_position
    anti join quality_quarantine as q using (annotation_id)  -- failed quality control: kept out, with reasons
),

final as (
    select
        sha256(ch.annotation_id || ':' || r.position)[:16] as comparison_id,
        ch.annotation_id,
        ch.conversation_id,
        ch.set_id,
        s.prompt_id,
        s.lang,
        s.turn,
        s.sampler,
        s.model,
        ch.annotator_id,
        a.country,
        ch.source,
        s.messages,
        s.messages[-1].content as prompt_text,
        ch.chosen_position,
        r.position as rejected_position,
        ch.chosen_model,
        r.model as rejected_model,
        ch.chosen_text,
        r.text as rejected_text,
        ch.explanation
    from chosen as ch
    inner join candidates as r
        on r.set_id = ch.set_id and r.position <> ch.chosen_position
    inner join candidate_sets as s on s.set_id = ch.set_id
    inner join annotators as a on a.annotator_id = ch.annotator_id
)

select * from final
order by annotation_id, rejected_position
