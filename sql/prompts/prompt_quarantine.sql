-- prompt_quarantine: one row per row of a prompt source that did not become a prompt (empty text, a language that
-- is not configured, too long, a duplicate), with its file, line, reason and the row as read. Rows read = prompts +
-- these. Input: `quarantine_rows`, split in Python (defs/prompts/prompt_bank.py).
create or replace table prompt_quarantine as
with final as (
    select
        file::varchar as file,
        line::bigint as line,
        lang::varchar as lang,
        reason::varchar as reason,
        detail::varchar as detail,
        raw_row::varchar as raw_row
    from quarantine_rows
)

select * from final
order by file, line
