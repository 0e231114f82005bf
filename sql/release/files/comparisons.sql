-- comparisons: the rich file, one row per released comparison with everything kept: conversation so far,
-- both answers and their models, annotator, country, source, explanation, sampler, item, margin, licences.
select *
from release.comparisons
order by comparison_id
