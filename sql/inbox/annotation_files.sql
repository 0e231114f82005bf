-- annotation_files: one row per human annotation file ingested from inbox/, by content hash (the same bytes
-- under another name, or dropped again, are not ingested twice), with its accounting:
-- rows_in = rows_kept + rows_quarantined. Appended to, never replaced: a file is read once.
-- The table is created by sql/core/schemas.sql. Input: `new_files` registered from Python.
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
