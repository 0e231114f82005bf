-- pii_findings (schema release): one row per personal detail the scan found (defs/release/pii.py: emails,
-- phone numbers, cards, IBANs, IP addresses, national ids, street addresses, URLs and file paths naming a
-- person) in a text a release would carry: the conversation and
-- set it is in, the field (prompt, response, explanation), the kind and the matched text. Input:
-- `finding_rows` registered from Python.
create or replace table pii_findings as
with final as (
    select
        conversation_id::varchar as conversation_id,
        set_id::varchar as set_id,
        field::varchar as field,
        kind::varchar as kind,
        matched::varchar as matched
    from finding_rows
)

select distinct * from final
order by conversation_id, set_id, field, kind, matched
