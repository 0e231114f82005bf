-- human_turns: one row per (conversation, turn) of an ingested human file that passed the row checks: the
-- prompt, the four responses, the preferred label and the feedback, with the annotator's fields and the
-- file and line it came from, and the row's release fields (wave, balanced-subset flags) for the CA export.
-- Appended per new file. The table is created by sql/core/schemas.sql. Input: `new_turns` registered from Python.
insert into human_turns
select
    t.file_sha,
    t.source_line,
    t.conversation_id,
    t.turn,
    trim(r.annotator_id),
    trim(r.assigned_lang),
    nullif(lower(trim(r.annotator_country)), ''),
    nullif(trim(r.annotator_age), ''),
    nullif(lower(trim(r.annotator_gender)), ''),
    nullif(trim(r.annotator_education_level), ''),
    nullif(trim(r.annotator_ethnicity), ''),
    nullif(trim(r.annotator_political), ''),
    try_cast(nullif(trim(r.is_pregenerated_first_prompt), '') as boolean),
    t.prompt,
    t.response_a,
    t.response_b,
    t.response_c,
    t.response_d,
    t.preferred,
    t.feedback,
    nullif(trim(r.wave), ''),
    try_cast(nullif(trim(r.in_balanced_subset), '') as boolean),
    try_cast(nullif(trim(r.in_balanced_subset_10), '') as boolean)
from new_turns as t
inner join new_rows as r
    on r.file_sha = t.file_sha and r.source_line = t.source_line
order by t.file_sha, t.source_line, t.turn;
