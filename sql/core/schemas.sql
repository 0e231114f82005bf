-- schemas: one per conversation turn (the protocol's maximum is 4 turns), each holding that turn's user_turns,
-- candidate_sets, candidates, generation_requests, generation_quarantine, candidate_values and annotations;
-- `human`, the same tables for conversations read from human annotation files (main holds views over all
-- of them under the same names), and `release`.
create schema if not exists turn_1;
create schema if not exists turn_2;
create schema if not exists turn_3;
create schema if not exists turn_4;
create schema if not exists human;
create schema if not exists release;  -- the release stage's tables: pii_findings, exclusions, comparisons

-- The inbox's four tables exist before any file arrives: the inbox assets run per file (a partition of
-- `inbox_batches`) and append to them, while the rest of the graph reads them whether or not a file came.
create table if not exists main.annotation_files (
    file_sha varchar primary key,
    file_name varchar not null,
    format varchar not null,
    rows_in bigint not null,
    rows_kept bigint not null,
    rows_quarantined bigint not null,
    turns_kept bigint not null
);

create table if not exists main.human_turns (
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
alter table main.human_turns add column if not exists wave varchar;
alter table main.human_turns add column if not exists in_balanced_subset boolean;
alter table main.human_turns add column if not exists in_balanced_subset_10 boolean;

create table if not exists main.task_results (
    file_sha varchar not null,
    source_line bigint not null,
    task_id varchar not null,
    annotator_id varchar not null,
    chosen_position varchar not null,
    explanation varchar,
    seconds double,
    next_message varchar,
    assigned_lang varchar,
    country varchar,
    age varchar,
    gender varchar,
    education_level varchar,
    ethnicity varchar,
    political varchar,
    shown_order varchar,  -- the order the tool showed the answers in (a permutation of abcd); null: as exported
    primary key (file_sha, source_line)
);

alter table main.task_results add column if not exists shown_order varchar;

create table if not exists main.annotation_quarantine (
    file_sha varchar not null,
    file_name varchar not null,
    source_line bigint not null,
    conversation_id varchar,
    reason varchar not null,
    reasons varchar[] not null,
    detail varchar,
    raw_row json,
    primary key (file_sha, source_line)
);
