-- annotation_files: one row per human annotation file ingested from inbox/, by content hash (the same bytes
-- under another name, or dropped again, are not ingested twice), with its accounting:
-- rows_in = rows_kept + rows_quarantined. Appended to, never replaced: a file is read once.
-- Input: `new_files` registered from Python.
create table if not exists annotation_files (
    file_sha varchar primary key,
    file_name varchar not null,
    format varchar not null,
    rows_in bigint not null,
    rows_kept bigint not null,
    rows_quarantined bigint not null,
    turns_kept bigint not null
);

insert into annotation_files
select
    file_sha::varchar,
    file_name::varchar,
    format::varchar,
    rows_in::bigint,
    rows_kept::bigint,
    rows_quarantined::bigint,
    turns_kept::bigint
from new_files;
