-- snapshot_tables: the database's tables (every schema but the embedding cache), which the analysts'
-- snapshot copies; their exact row counts are then read table by table.
select schema_name, table_name
from duckdb_tables()
where database_name = current_database() and schema_name <> 'cache' and not temporary
order by schema_name, table_name
