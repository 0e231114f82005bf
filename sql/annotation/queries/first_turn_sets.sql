-- first_turn_sets: the first-turn candidate sets to assign to annotators, in a stable order (a read).
select set_id, prompt_id, lang, sampler
from turn_1.candidate_sets
order by prompt_id, sampler, set_id
