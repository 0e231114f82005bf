-- value_map_points: every judged candidate's position on the two IW axes with its sampler and language, for
-- the value-map plot (a read, not a table).
select
    s.sampler,
    s.lang,
    v.trad_secular,
    v.surv_self,
    v.pole
from candidate_values as v
inner join candidates as c using (candidate_id)
inner join candidate_sets as s using (set_id)
where v.trad_secular is not null and v.surv_self is not null
order by s.sampler, c.candidate_id
