"""The DuckDB resource's memory cap: every connection it opens gets it, and work larger than the cap spills to
disk instead of failing."""

from ca_assets.core.duckdb import DuckDB


def test_memory_limit_reaches_every_connection_and_big_sorts_spill(tmp_path):
    duckdb = DuckDB(data_dir=str(tmp_path / "data"), memory_limit="200MB")
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        con.execute("create table wide as select i, repeat(md5(i::varchar), 8) as text from range(2_000_000) as r(i)")
        assert con.sql("select current_setting('memory_limit')").fetchall() == [("190.7 MiB",)]
        # About 600 MB of rows, sorted by a text column under a 200 MB cap.
        first, count = con.sql("select min(text), count(*) from (select * from wide order by text desc, i)").fetchall()[0]
    assert count == 2_000_000 and len(first) == 256
    with duckdb.connect(read_only=True) as con:
        assert con.sql("select current_setting('memory_limit')").fetchall() == [("190.7 MiB",)]
    with DuckDB(data_dir=str(tmp_path / "data")).connect(read_only=True) as con:  # no cap: DuckDB's default
        assert con.sql("select current_setting('memory_limit')").fetchall() != [("190.7 MiB",)]
