-- embedding_cache_missing: the distinct texts of `texts_in` that the cache lacks for model $model.
with wanted as (
    select distinct
        sha256(text) as text_sha,
        text
    from texts_in
)

select
    w.text_sha,
    w.text
from wanted as w
anti join cache.embeddings as e
    on e.model = $model and e.text_sha = w.text_sha
order by w.text_sha
