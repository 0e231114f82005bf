-- candidate_texts: every candidate's text, to embed (a read, not a table).
select candidate_id, text
from candidates
order by candidate_id
