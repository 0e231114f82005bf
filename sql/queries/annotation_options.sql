-- annotation_options: one row per candidate with its set's language and its value position, the input a
-- simulated annotator chooses from (a read, not a table).
select
    c.set_id,
    c.position,
    s.lang,
    v.trad_secular,
    v.surv_self
from candidates as c
inner join candidate_sets as s using (set_id)
inner join candidate_values as v using (candidate_id)
order by c.set_id, c.position
