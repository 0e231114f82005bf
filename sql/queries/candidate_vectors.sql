-- candidate_vectors: every candidate's embedding, for the value judge (a read, not a table).
select candidate_id, embedding
from candidate_embeddings
order by candidate_id
