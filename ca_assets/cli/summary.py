"""Print what a run made: rows per table, conversations per turn and country, the sampler report over all
languages, the judge's calibration, aggregates and the preference evaluation, and where the plots, exports and
release files are."""

import sys
from pathlib import Path

import duckdb

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.sql import load_sql

TABLES = (
    "prompts",
    "prompt_quarantine",
    "candidate_sets",
    "candidates",
    "generation_requests",
    "generation_quarantine",
    "calibration_set",
    "judge_calibration",
    "candidate_embeddings",
    "candidate_values",
    "set_diversity",
    "sampler_report",
    "annotation_files",
    "human_turns",
    "annotation_quarantine",
    "annotators",
    "assignments",
    "user_turns",
    "annotations",
    "gold_items",
    "gold_answers",
    "annotator_quality",
    "quality_quarantine",
    "comparisons",
    "aggregates",
    "preference_eval",
    "release.pii_findings",
    "release.exclusions",
    "release.comparisons",
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
        print("\nconversations per turn and country (simulated annotators; a conversation ends when it does not go on)")
        print(con.sql(load_sql("annotation", "queries", "conversations_per_turn")).df().to_string(index=False))
        print("\nquality control: annotations kept and quarantined by reason; annotators who failed (simulated ones")
        print("carry the truth: `careless` is who the simulation made click without reading)")
        print(con.sql(load_sql("quality", "queries", "quality_summary")).df().to_string(index=False))
        print("\nsampler report, all languages (coverage@4: share of sets with an answer expressing the pole)")
        report = con.table("sampler_report").df()
        overall = report[report["lang"] == "all"].drop(columns="lang").set_index("sampler").round(3)
        print(overall.T.to_string())
        print("\nvalue judge accuracy on the calibration set, all languages (cross-validated over topics)")
        print(con.sql(load_sql("values", "queries", "judge_accuracy_summary")).df().to_string(index=False))
        print("\nitems (what annotators saw) per sampler and turn, and how many are contested")
        print(con.sql(load_sql("aggregates", "queries", "contested_summary")).df().to_string(index=False))
        print("\npreference evaluation: held-out accuracy of a pooled and a per-country model, per sampler (chance 0.5)")
        print(con.sql(load_sql("analysis", "queries", "preference_eval_summary")).df().to_string(index=False))
    print("\nplots, exports and the release")
    for folder in ("reports", "exports", "releases/current", "snapshot"):  # the published release, not every version
        for path in sorted(p for p in (store.root / folder).rglob("*") if p.is_file() and not p.name.startswith(".")):
            print(f"  {path}")
    snapshot = store.root / "snapshot" / "ca.duckdb"
    shell = Path(sys.executable).with_name("duckdb")  # the duckdb-cli package installs it beside this Python
    print(f"\nquery it (a snapshot, safe during runs): {shell} -readonly {snapshot}")
    print("  e.g. -c \"select * from country_win_rates\"; from Python, the live file while no run writes:")
    print(f"  duckdb.connect({str(store.database_path)!r}, read_only=True)\n")


if __name__ == "__main__":
    main()
