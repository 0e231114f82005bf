-- candidate_embeddings: one row per candidate, its unit-length sentence embedding.
-- Input: `embedding_rows` registered from Python; `embedding` arrives as a list of floats.
create or replace table candidate_embeddings as
with final as (
    select
        candidate_id::varchar as candidate_id,
        model::varchar as model,
        dim::bigint as dim,
        embedding::float[] as embedding
    from embedding_rows
)

select * from final
order by candidate_id
