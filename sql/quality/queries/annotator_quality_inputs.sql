-- annotator_quality_inputs: per annotator with annotations or attention-check answers: choices per position shown
-- (position bias and straight-lining are about what people saw, not the set's generation order),
-- attention checks answered and right, timed choices and those faster than $max_words_per_second over the
-- words shown (a read; annotator_quality adds the tests and the score in Python).
with words as (
    select set_id, sum(len(string_split(trim(text), ' '))) as words
    from candidates
    group by set_id
),

choices as (
    select
        an.annotator_id,
        count(*) as annotations,
        count(*) filter (where an.shown_position = 1) as shown_1,
        count(*) filter (where an.shown_position = 2) as shown_2,
        count(*) filter (where an.shown_position = 3) as shown_3,
        count(*) filter (where an.shown_position = 4) as shown_4,
        count(an.seconds) as timed,
        count(*) filter (where w.words / an.seconds > $max_words_per_second) as too_fast,
        median(an.seconds) as median_seconds
    from annotations as an
    inner join words as w using (set_id)
    group by an.annotator_id
),

gold as (
    select
        annotator_id,
        count(*) as gold_answered,
        count(*) filter (where correct) as gold_correct
    from gold_answers
    group by annotator_id
)

select
    a.annotator_id,
    a.source,
    a.country,
    coalesce(c.annotations, 0) as annotations,
    coalesce(c.shown_1, 0) as shown_1,
    coalesce(c.shown_2, 0) as shown_2,
    coalesce(c.shown_3, 0) as shown_3,
    coalesce(c.shown_4, 0) as shown_4,
    coalesce(g.gold_answered, 0) as gold_answered,
    coalesce(g.gold_correct, 0) as gold_correct,
    coalesce(c.timed, 0) as timed,
    coalesce(c.too_fast, 0) as too_fast,
    c.median_seconds
from annotators as a
left join choices as c using (annotator_id)
left join gold as g using (annotator_id)
where c.annotator_id is not null or g.annotator_id is not null
order by a.annotator_id
