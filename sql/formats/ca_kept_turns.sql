-- ca_kept_turns: the turns of a Community Alignment file's rows that have no problem (queries/ca_row_problems.sql),
-- in file order. Inputs: the temp table `ca_turns` (queries/ca_turns.sql) and `problem_rows`, the problems found.
select * exclude (used, has_empty_marker)
from ca_turns
anti join problem_rows using (source_line)
where used
order by source_line, turn
