-- annotation_quarantine: one row per line of an ingested human file that cannot become annotations as it
-- stands: the first reason, every reason, a detail, and the whole row as JSON, traceable to file and line.
-- Appended per new file. The table is created by sql/core/schemas.sql. Input: `new_quarantine` registered from Python.
insert into annotation_quarantine
select
    file_sha,
    file_name,
    source_line,
    conversation_id,
    reason,
    reasons::varchar[],
    detail,
    raw_row::json
from new_quarantine
order by file_sha, source_line;
