-- first_turn_sets: the first-turn candidate sets to assign to simulated annotators, in a stable order (a read):
-- not those of openings people wrote live, which only their writer answers.
select s.set_id, s.prompt_id, s.lang, s.sampler
from turn_1.candidate_sets as s
left join main.prompts as p using (prompt_id)
where p.annotator_id is null
order by s.prompt_id, s.sampler, s.set_id
