-- Offending prompts: the language detector disagrees with the declared language.
select prompt_id, lang, detected_lang, text
from prompts
where detected_lang <> lang
