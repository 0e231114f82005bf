-- set_texts: every candidate's text with its set and the set's language, for the text statistics of
-- set_diversity (a read, not a table).
select
    c.set_id,
    c.position,
    c.text,
    s.lang
from candidates as c
inner join candidate_sets as s using (set_id)
order by c.set_id, c.position
