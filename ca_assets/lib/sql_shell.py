"""ca-sql: query the project's DuckDB file read-only from a shell.

    ca-sql "select * from contested_prompts limit 5"
    echo "select count(*) from comparisons" | ca-sql
    ca-sql --db other/ca.duckdb --csv "select * from country_win_rates" > rates.csv

Why not the `duckdb` CLI: the newest one on PyPI (duckdb-cli 1.5.6) cannot open a DuckDB 2.0 file ("version
number 69 ... we can only read versions between 64 and 68"); this is the project's own DuckDB 2.0, opened
read-only, so it can never change or lock out the pipeline's tables. The release's Parquet files do open in any
DuckDB CLI.
"""

import argparse
import sys

import duckdb

from ca_assets.lib.duckdb import DuckDB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ca-sql", description=__doc__.splitlines()[0])
    parser.add_argument("sql", nargs="?", help="the query (default: read it from standard input)")
    parser.add_argument("--db", default=None, help="the DuckDB file (default: <data dir>/ca.duckdb, env CA_DATA_DIR)")
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    parser.add_argument("--max-rows", type=int, default=40, help="rows shown in table output (default 40)")
    args = parser.parse_args(argv)
    path = args.db or str(DuckDB().database_path)
    sql = args.sql if args.sql is not None else sys.stdin.read()
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.IOException as error:
        print(f"ca-sql: cannot open {path} read-only: {error}", file=sys.stderr)
        return 2
    try:
        result = con.sql(sql)
        if result is None:  # a statement without rows (e.g. SET)
            return 0
        if args.csv:
            result.df().to_csv(sys.stdout, index=False)
        else:
            result.show(max_rows=args.max_rows, max_width=200)
    except duckdb.Error as error:
        print(f"ca-sql: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
