-- aggregate_votes: one row per (item, cohort, answer): the kept annotations of one item (the same conversation
-- so far and the same four answers, see comparisons.item_id) counted overall (cohort 'all') and per annotator
-- country ('unknown' when a file does not say), with the votes each answer got. An answer is named by its text
-- (`answer_key`), since one item's rows may show the answers in different orders; position and candidate_id
-- are those of the item's first set, for joining back.
with annotations as (  -- one row per kept annotation (each has three comparison rows): its chosen text hashed once
    select
        annotation_id,
        any_value(item_id) as item_id,
        any_value(set_id) as set_id,
        any_value(prompt_id) as prompt_id,
        any_value(turn) as turn,
        any_value(lang) as lang,
        any_value(sampler) as sampler,
        coalesce(any_value(country), 'unknown') as country,
        sha256(any_value(chosen_text))[:16] as answer_key
    from comparisons
    group by annotation_id
),

items as (
    select
        item_id,
        min(set_id) as set_id,
        any_value(prompt_id) as prompt_id,
        any_value(turn) as turn,
        any_value(lang) as lang,
        any_value(sampler) as sampler
    from annotations
    group by item_id
),

answers as (
    select
        i.item_id,
        sha256(c.text)[:16] as answer_key,
        c.candidate_id,
        c.position
    from items as i
    inner join candidates as c using (set_id)
    -- a repeated answer counts once
    qualify row_number() over (partition by i.item_id, answer_key order by c.position) = 1
),

by_cohort as (
    select item_id, 'all' as cohort, answer_key from annotations
    union all
    select item_id, country as cohort, answer_key from annotations
),

sizes as (
    select item_id, cohort, count(*) as annotations
    from by_cohort
    group by item_id, cohort
),

votes as (
    select item_id, cohort, answer_key, count(*) as votes
    from by_cohort
    group by item_id, cohort, answer_key
),

final as (
    select
        i.item_id,
        i.set_id,
        i.prompt_id,
        i.turn,
        i.lang,
        i.sampler,
        z.cohort,
        z.annotations,
        a.answer_key,
        a.candidate_id,
        a.position,
        coalesce(v.votes, 0) as votes
    from sizes as z
    inner join items as i using (item_id)
    inner join answers as a using (item_id)
    left join votes as v using (item_id, cohort, answer_key)
)

select * from final
order by item_id, cohort, position
