-- annotation_tasks: one row per task exported for annotation tools (exports/tasks/tasks.jsonl and .csv):
--   kind 'set': every first-turn candidate set of a bank or file prompt (open: any annotator of its language may
--     take it); the first-turn set of an opening a person wrote live, for its writer until they answered it; and
--     the later-turn set of each human conversation in progress that its annotator has not answered yet;
--   kind 'gold': every attention-check item (the right answer is not exported).
-- Each row has the conversation so far (`history`, without this turn's user message), this turn's `prompt`,
-- the four responses and their candidate ids; `annotator_id` is set when only that annotator may answer;
-- `prompt_id` and `sampler` let a live tool ask for the next turn's set exactly as the pipeline will.
create or replace table annotation_tasks as
with set_tasks as (
    select
        s.set_id as task_id,
        'set' as kind,
        s.lang,
        s.turn,
        s.set_id,
        null::varchar as item_id,
        s.conversation_id,
        p.annotator_id,
        s.prompt_id,
        s.sampler,
        s.messages
    from turn_1.candidate_sets as s
    left join main.prompts as p using (prompt_id)
    where
        p.annotator_id is null
        or not exists (
            select 1 from task_results as r
            where r.task_id = s.set_id and r.annotator_id = p.annotator_id
        )
    union all
    select
        s.set_id,
        'set',
        s.lang,
        s.turn,
        s.set_id,  -- noqa: AL08
        null,
        s.conversation_id,
        u.annotator_id,
        s.prompt_id,
        s.sampler,
        s.messages
    from candidate_sets as s
    inner join user_turns as u
        on u.conversation_id = s.conversation_id and u.turn = s.turn and u.source = 'human'
    where
        not exists (
            select 1 from task_results as r
            where r.task_id = s.set_id and r.annotator_id = u.annotator_id
        )
),

with_answers as (
    select
        t.task_id,
        t.kind,
        t.lang,
        t.turn,
        t.set_id,
        t.item_id,
        t.conversation_id,
        t.annotator_id,
        t.prompt_id,
        t.sampler,
        t.messages[:len(t.messages) - 1] as history,  -- noqa: PRS
        t.messages[-1].content as prompt,
        max(c.text) filter (where c.position = 'a') as response_a,
        max(c.text) filter (where c.position = 'b') as response_b,
        max(c.text) filter (where c.position = 'c') as response_c,
        max(c.text) filter (where c.position = 'd') as response_d,
        max(c.candidate_id) filter (where c.position = 'a') as candidate_id_a,
        max(c.candidate_id) filter (where c.position = 'b') as candidate_id_b,
        max(c.candidate_id) filter (where c.position = 'c') as candidate_id_c,
        max(c.candidate_id) filter (where c.position = 'd') as candidate_id_d
    from set_tasks as t
    inner join candidates as c using (set_id)
    group by all
),

gold_tasks as (
    select
        item_id as task_id,
        'gold' as kind,
        lang,
        1 as turn,
        null::varchar as set_id,
        item_id,
        null::varchar as conversation_id,
        null::varchar as annotator_id,
        null::varchar as prompt_id,
        null::varchar as sampler,
        []::struct(role varchar, content varchar)[] as history,
        prompt,
        response_a,
        response_b,
        response_c,
        response_d,
        null::varchar as candidate_id_a,
        null::varchar as candidate_id_b,
        null::varchar as candidate_id_c,
        null::varchar as candidate_id_d
    from gold_items
),

final as (
    select
        *,
        -- The order a tool is asked to show the answers in, seeded per task (defs/annotation/simulation.py:
        -- export_order computes the same): a result that does not say its order is taken to have shown this one.
        array_to_string(
            list_transform(
                list_sort(list_transform(['a', 'b', 'c', 'd'], lambda p: sha256(task_id || ':' || p) || p)),
                lambda x: x[-1:]
            ),
            ''
        ) as shown_order
    from (
        select * from with_answers
        union all by name
        select * from gold_tasks
    ) as tasks
)

select * from final
order by kind desc, lang, turn, task_id
