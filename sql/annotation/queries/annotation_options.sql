-- annotation_options: one row per candidate with its set's language, its value position, text and length and
-- the set's messages, the input
-- a simulated annotator chooses from (a read, not a table). A candidate the judge could not label sits at the
-- centre of the map: it takes no stance an annotator could prefer or avoid.
select
    c.set_id,
    c.position,
    s.lang,
    coalesce(v.trad_secular, 0) as trad_secular,
    coalesce(v.surv_self, 0) as surv_self,
    v.pole,
    c.text,
    s.messages,
    len(string_split(trim(c.text), ' ')) as words
from candidates as c
inner join candidate_sets as s using (set_id)
inner join candidate_values as v using (candidate_id)
order by c.set_id, c.position
