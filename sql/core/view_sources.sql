-- view_sources: which of the given schemas hold a table of the given name (a read, used to build main's
-- views over the turns and the human files that exist so far).
select schema_name
from unnest($schemas) as s (schema_name)
where
    exists (
        select 1
        from information_schema.tables as t
        where t.table_schema = s.schema_name and t.table_name = $table
    )
