-- ingested_files: the content hashes and names of the human files already ingested (a read, not a table).
select file_sha, file_name from annotation_files
