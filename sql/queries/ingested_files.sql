-- ingested_files: the content hashes of the human files already ingested (a read, not a table).
select file_sha from annotation_files
