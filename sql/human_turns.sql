-- human_turns: one row per (conversation, turn) of an ingested human file that passed the row checks: the
-- prompt, the four responses, the preferred label and the feedback, with the annotator's fields and the
-- file and line it came from, and the row's release fields (wave, balanced-subset flags) for the CA export.
-- Appended per new file. Input: `new_turns` registered from Python.
create table if not exists human_turns (
    file_sha varchar not null,
    source_line bigint not null,
    conversation_id varchar not null,
    turn bigint not null,
    annotator_id varchar not null,
    assigned_lang varchar not null,
    country varchar,
    age varchar,
    gender varchar,
    education_level varchar,
    ethnicity varchar,
    political varchar,
    is_pregenerated_first_prompt boolean,
    prompt varchar not null,
    response_a varchar not null,
    response_b varchar not null,
    response_c varchar not null,
    response_d varchar not null,
    preferred varchar not null,
    feedback varchar,
    wave varchar,
    in_balanced_subset boolean,
    in_balanced_subset_10 boolean,
    primary key (file_sha, source_line, turn)
);

-- Files ingested before the release export kept these three columns: add them (null for those rows).
alter table human_turns add column if not exists wave varchar;
alter table human_turns add column if not exists in_balanced_subset boolean;
alter table human_turns add column if not exists in_balanced_subset_10 boolean;

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
