-- task_results: one row per task result of an ingested file (the project's own format, see
-- ca_assets/lib/task_results.py) that passed the row checks: the choice, explanation, seconds, the next
-- message if the annotator wrote one, the annotator's fields, and the file and line. Appended per new file.
-- Input: `new_results` registered from Python.
create table if not exists task_results (
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
    primary key (file_sha, source_line)
);

insert into task_results
select
    file_sha,
    source_line,
    trim(task_id),
    trim(annotator_id),
    regexp_replace(lower(trim(chosen)), '^response_', ''),
    nullif(trim(explanation), ''),
    try_cast(nullif(trim(seconds), '') as double),
    nullif(trim(next_message), ''),
    nullif(trim(assigned_lang), ''),
    nullif(lower(trim(annotator_country)), ''),
    nullif(trim(annotator_age), ''),
    nullif(lower(trim(annotator_gender)), ''),
    nullif(trim(annotator_education_level), ''),
    nullif(trim(annotator_ethnicity), ''),
    nullif(trim(annotator_political), '')
from new_results
order by file_sha, source_line
