-- Homogeneous candidate sets: four answers so close in meaning that annotators have no real choice (mean
-- pairwise embedding distance under the configured threshold). A warning: the set is kept, but a sampler that
-- produces many of these is not covering what people want.
select
    set_id,
    sampler,
    lang,
    round(mean_pairwise_distance, 4) as mean_pairwise_distance,
    poles_covered
from set_diversity
where homogeneous
order by mean_pairwise_distance
