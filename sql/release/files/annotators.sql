-- annotators: one row per annotator with a released comparison: pseudonymous id, country, language, the
-- release's demographic fields, and for simulated annotators the parameters of their choice model.
select a.*
from annotators as a
where a.annotator_id in (select annotator_id from release.comparisons)
order by a.annotator_id
