-- Mean candidate-set diversity per sampler: the first number to look at after a run.
select
    sampler,
    count(*) as sets,
    round(avg(mean_pairwise_distance), 4) as mean_pairwise_distance,
    round(avg(min_pairwise_distance), 4) as min_pairwise_distance,
    round(avg(poles_covered), 2) as poles_covered
from set_diversity
group by sampler
order by sampler
