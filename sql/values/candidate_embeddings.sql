-- candidate_embeddings: one row per candidate, its unit-length sentence embedding, read from the embedding
-- cache (filled for every candidate text just before this runs).
create or replace table candidate_embeddings as
with final as (
    select
        c.candidate_id::varchar as candidate_id,
        $model_name::varchar as model,
        e.dim::bigint as dim,
        e.embedding::float[] as embedding
    from candidates as c
    inner join cache.embeddings as e
        on e.model = $model and e.text_sha = sha256(c.text)
)

select * from final
order by candidate_id
