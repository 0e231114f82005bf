-- task_results: one row per task result of an ingested file (the project's own format, see
-- defs/inbox/task_results.py) that passed the row checks: the choice, explanation, seconds, the next
-- message if the annotator wrote one, the order the answers were shown in if the tool says it, the annotator's
-- fields, and the file and line. Appended per new file. The table is created by sql/core/schemas.sql.
-- Input: `new_results` registered from Python.
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
    nullif(trim(annotator_political), ''),
    nullif(lower(trim(shown_order)), '')
from new_results
order by file_sha, source_line
