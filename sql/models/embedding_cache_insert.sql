-- Add newly embedded texts to the cache. `or ignore`: a concurrent run that embedded the same text first wins,
-- and the vectors are the same anyway.
insert or ignore into cache.embeddings
select
    $model as model,  -- noqa: AL09
    text_sha,
    $dim as dim,  -- noqa: AL09
    embedding::float[] as embedding
from new_embeddings
