-- generation_prompts: the prompts to sample candidate sets for, in a stable order (a read, not a table); a written
-- opening's writer and sampler (null for the others).
select prompt_id, lang, text, annotator_id, sampler
from prompts
order by lang, prompt_id
