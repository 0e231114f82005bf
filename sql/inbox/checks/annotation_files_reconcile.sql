-- Offending files: for every ingested file, rows in must equal rows kept + rows quarantined, and those counts
-- must match the lines actually stored in human_turns (Community Alignment CSVs) or task_results (one result
-- per line) and annotation_quarantine.
with kept as (
    select file_sha, count(distinct source_line) as lines, count(*) as turns
    from human_turns
    group by file_sha
    union all
    select file_sha, count(*) as lines, count(*) as turns
    from task_results
    group by file_sha
),

quarantined as (
    select file_sha, count(*) as lines
    from annotation_quarantine
    group by file_sha
)

select
    f.file_name,
    f.rows_in,
    f.rows_kept,
    f.rows_quarantined,
    coalesce(k.lines, 0) as lines_in_human_turns,
    coalesce(q.lines, 0) as lines_in_quarantine
from annotation_files as f
left join kept as k using (file_sha)
left join quarantined as q using (file_sha)
where f.rows_in <> f.rows_kept + f.rows_quarantined
    or f.rows_kept <> coalesce(k.lines, 0)
    or f.rows_quarantined <> coalesce(q.lines, 0)
    or f.turns_kept <> coalesce(k.turns, 0)
