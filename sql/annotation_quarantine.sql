-- annotation_quarantine: one row per line of an ingested human file that cannot become annotations as it
-- stands: the first reason, every reason, a detail, and the whole row as JSON, traceable to file and line.
-- Appended per new file. Input: `new_quarantine` registered from Python.
create table if not exists annotation_quarantine (
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
