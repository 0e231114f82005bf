-- generation_prompts: the prompts to sample candidate sets for, in a stable order (a read, not a table).
select prompt_id, lang, text
from prompts
order by lang, prompt_id
