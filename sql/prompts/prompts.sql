-- prompts: one row per distinct prompt (language + normalised text, + writer for an opening written live) of the
-- run's languages, from the bundled bank, the user's prompt files and the openings people wrote in the live app.
-- Input: `prompt_rows`, split from the rows read in Python (defs/prompts/prompt_bank.py): NFC- and
-- whitespace-normalised, duplicates and rows that cannot be prompts already in `prompt_quarantine`.
create or replace table prompts as
with final as (
    select
        prompt_id::varchar as prompt_id,
        lang::varchar as lang,
        topic::varchar as topic,
        text::varchar as text,
        source::varchar as source,
        annotator_id::varchar as annotator_id,
        sampler::varchar as sampler,
        detected_lang::varchar as detected_lang,
        file::varchar as file,
        line::bigint as line
    from prompt_rows
)

select * from final
order by lang, prompt_id
