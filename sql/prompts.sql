-- prompts: one row per distinct prompt (language + normalised text) from the bundled bank.
-- Input: `prompt_rows`, the bank registered from Python (text already NFC- and whitespace-normalised).
-- Duplicates keep their first occurrence in file order; the asset reports how many were dropped.
create or replace table prompts as
with ranked as (
    select
        *,
        row_number() over (partition by prompt_id order by file_order) as occurrence
    from prompt_rows
),

final as (
    select
        prompt_id::varchar as prompt_id,
        lang::varchar as lang,
        topic::varchar as topic,
        text::varchar as text,
        source::varchar as source,
        detected_lang::varchar as detected_lang
    from ranked
    where occurrence = 1
)

select * from final
order by lang, prompt_id
