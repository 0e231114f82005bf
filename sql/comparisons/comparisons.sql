-- comparisons: one row per (kept annotation, rejected candidate): each best-of-4 choice that passed quality
-- control expands to three (chosen, rejected) pairs, with the conversation up to that turn (`messages`, ending
-- with the user's turn, whose text is `prompt_text`), the annotator's cohort, the sampler and the model of each
-- side (they differ for multi_model sets; `model` is the set's). `item_id` names what annotators saw: the same
-- conversation so far and the same four answers in any order (the public release shows one pregenerated prompt's
-- four answers to many people, each in a row of its own), so votes on one item can be counted together.
-- `is_pregenerated_first_prompt` is false when the annotator wrote the opening prompt (human files say so; a
-- conversation opened live on a person's own message has a prompt with a writer; the others open on the bank's).
create or replace table comparisons as
with items as (  -- a set's texts gathered first: grouping by the set's messages as well cost seconds at scale
    select
        s.set_id,
        sha256(to_json(s.messages) || chr(31) || array_to_string(t.texts, chr(31)))[:16] as item_id
    from candidate_sets as s
    inner join (  -- noqa: ST05
        select set_id, list_sort(list(text)) as texts
        from candidates
        group by set_id
    ) as t using (set_id)
),

opened_by as (
    select file_sha, source_line, is_pregenerated_first_prompt
    from main.human_turns
    where turn = 1
),

written as (  -- registered from Python: the prompts people wrote as their openings (none without a prompts stage)
    select prompt_id
    from written_prompts
),

chosen as (
    select
        an.annotation_id,
        an.conversation_id,
        an.annotator_id,
        an.set_id,
        an.source,
        an.explanation,
        an.chosen_position,
        o.file_sha is not null as from_file,
        o.is_pregenerated_first_prompt as file_says,
        c.model as chosen_model,
        c.text as chosen_text
    from annotations as an
    inner join candidates as c
        on c.set_id = an.set_id and c.position = an.chosen_position
    left join opened_by as o
        on o.file_sha = an.file_sha and o.source_line = an.source_line
    anti join quality_quarantine as q using (annotation_id)  -- failed quality control: kept out, with reasons
),

final as (
    select
        sha256(ch.annotation_id || ':' || r.position)[:16] as comparison_id,
        ch.annotation_id,
        ch.conversation_id,
        ch.set_id,
        i.item_id,
        s.prompt_id,
        s.lang,
        s.turn,
        s.sampler,
        s.model,
        ch.annotator_id,
        a.country,
        ch.source,
        case
            when ch.from_file then ch.file_says
            else s.prompt_id not in (select w.prompt_id from written as w)
        end as is_pregenerated_first_prompt,
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
    inner join items as i on i.set_id = ch.set_id
    inner join annotators as a on a.annotator_id = ch.annotator_id
)

select * from final
order by annotation_id, rejected_position
