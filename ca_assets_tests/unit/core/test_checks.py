import pandas as pd

from ca_assets.core.checks import validate_frame
from ca_assets.core.sql import load_sql
from ca_assets.defs.generation.schemas import Candidates


def test_schema_check_reports_every_failure_case():
    frame = pd.DataFrame(
        {
            "candidate_id": ["c" * 16, "c" * 16, "d" * 16],
            "set_id": ["s" * 16] * 3,
            "position": ["a", "e", "b"],
            "model": ["m.gguf"] * 3,
            "text": ["fine", "fine", ""],
        }
    )
    result = validate_frame(frame, Candidates)
    assert not result.passed
    cases = result.metadata["failure_cases"].value
    for problem in ("isin", "str_length", "field_uniqueness"):
        assert problem in cases
    assert validate_frame(frame.iloc[[0]], Candidates).passed


def _audit(duckdb, stage, name, **tables) -> pd.DataFrame:
    with duckdb.connect() as con:
        for table, frame in tables.items():
            con.from_df(frame).create(table)
        return con.sql(load_sql(stage, "checks", name)).df()


def test_generation_reconciles_finds_requests_with_no_or_two_outcomes_and_unrequested_sets(duckdb):
    requested = pd.DataFrame({"request_id": ["p1/nc", "p1/iid", "p2/nc", "p2/iid", "p3/nc", "p3/iid", "p4/nc", "p4/iid"]})
    kept = pd.DataFrame({"request_id": ["p1/nc", "p1/iid", "p2/nc", "p3/nc", "p9/nc"]})
    quarantined = pd.DataFrame({"request_id": ["p2/iid", "p3/nc"]})
    offending = _audit(
        duckdb, "generation", "generation_reconciles", generation_requests=requested, candidate_sets=kept, generation_quarantine=quarantined
    )
    # p3/iid and all of p4 were never accounted for; p3/nc was both kept and quarantined; p9 was never asked.
    assert sorted(zip(offending.request_id, offending.outcomes, strict=True)) == [
        ("p3/iid", 0), ("p3/nc", 2), ("p4/iid", 0), ("p4/nc", 0), ("p9/nc", 1)
    ]


def test_candidates_four_per_set_finds_short_sets(duckdb):
    sets = pd.DataFrame({"set_id": ["s1", "s2"]})
    candidates = pd.DataFrame(
        {"candidate_id": ["1", "2", "3", "4", "5", "6", "7"], "set_id": ["s1"] * 4 + ["s2"] * 3,
         "position": ["a", "b", "c", "d", "a", "b", "b"]}
    )
    offending = _audit(duckdb, "generation", "candidates_four_per_set", candidate_sets=sets, candidates=candidates)
    assert list(offending.set_id) == ["s2"]


def test_generation_checks_are_blocking_and_wait_for_the_duckdb_pool():
    from ca_assets.defs.generation.assets import generation_checks

    for checks_def in generation_checks:
        spec = next(iter(checks_def.check_specs))
        assert spec.blocking, spec.name
        assert checks_def.node_def.pool == "duckdb", spec.name


def test_a_warn_audit_does_not_block():
    from ca_assets.defs.prompts.assets import prompts_checks

    (language_check,) = [c for c in prompts_checks if next(iter(c.check_specs)).name == "prompts_language_matches"]
    assert not next(iter(language_check.check_specs)).blocking
