-- set_diversity: one row per candidate set: how far apart its four answers are (cosine distance of their
-- embeddings, mean and minimum over the 6 pairs), their lexical variety (distinct-1/2), how many IW poles
-- they cover, how many are in the prompt's language, and whether the set is homogeneous (mean distance
-- under $homogeneous_below). Input: `set_text_stats` registered from Python (distinct-n, languages).
create or replace table set_diversity as
with embedded as (
    select
        c.set_id,
        c.position,
        e.embedding
    from candidates as c
    inner join candidate_embeddings as e using (candidate_id)
),

pairs as (
    select
        a.set_id,
        1 - list_cosine_similarity(a.embedding, b.embedding) as distance
    from embedded as a
    inner join embedded as b
        on a.set_id = b.set_id and a.position < b.position  -- noqa: ST09
),

distances as (
    select
        set_id,
        avg(distance) as mean_pairwise_distance,
        min(distance) as min_pairwise_distance
    from pairs
    group by set_id
),

poles as (
    select
        c.set_id,
        count(distinct v.pole) filter (where v.pole not in ('none', 'unjudged')) as poles_covered
    from candidates as c
    inner join candidate_values as v using (candidate_id)
    group by c.set_id
),

final as (
    select
        s.set_id,
        s.sampler,
        s.lang,
        greatest(d.mean_pairwise_distance, 0)::double as mean_pairwise_distance,
        greatest(d.min_pairwise_distance, 0)::double as min_pairwise_distance,
        t.distinct_1::double as distinct_1,
        t.distinct_2::double as distinct_2,
        p.poles_covered::bigint as poles_covered,
        t.candidates::bigint as candidates,
        t.answers_in_language::bigint as answers_in_language,
        (d.mean_pairwise_distance < $homogeneous_below) as homogeneous
    from candidate_sets as s
    inner join distances as d using (set_id)
    inner join poles as p using (set_id)
    inner join set_text_stats as t using (set_id)
)

select * from final
order by set_id
