-- candidates_to_judge: every candidate's text and its set's language (a read, not a table).
select
    c.candidate_id,
    c.text,
    s.lang
from candidates as c
inner join candidate_sets as s using (set_id)
order by c.candidate_id
