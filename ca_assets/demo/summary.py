"""Print what a run made: rows per table, mean diversity per sampler, and where the exports are."""

import duckdb

from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.sql import load_sql

TABLES = (
    "prompts",
    "candidate_sets",
    "candidates",
    "generation_requests",
    "generation_quarantine",
    "candidate_embeddings",
    "candidate_values",
    "set_diversity",
    "annotators",
    "annotations",
    "comparisons",
)


def main() -> None:
    store = DuckDB()
    print(f"\nca_assets: data directory {store.root}")
    with store.connect(read_only=True) as con:
        print("\nrows per table")
        for table in TABLES:
            try:
                count = con.table(table).count("*").fetchall()[0][0]
            except duckdb.CatalogException:
                count = "missing"
            print(f"  {table:<24} {count}")
        print("\nmean candidate-set diversity per sampler (cosine distance of the four answers' embeddings)")
        print(con.sql(load_sql("reports", "diversity_by_sampler")).df().to_string(index=False))
    print("\nexports")
    for path in sorted((store.root / "exports").glob("*")):
        print(f"  {path}")
    print(f"\nquery it read-only: duckdb.connect({str(store.database_path)!r}, read_only=True)\n")


if __name__ == "__main__":
    main()
