-- embedding_cache_lookup: the cached vector of every row of `texts_in`, in its `ord` order.
select e.embedding
from texts_in as t
inner join cache.embeddings as e
    on e.model = $model and e.text_sha = sha256(t.text)
order by t.ord
