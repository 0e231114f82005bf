"""Human files in the shared tables: an ingested Community Alignment CSV becomes candidate sets, candidates and
annotations (schema `human`), unioned into main's views beside the simulated turns, with the conversation
history rebuilt from the file and its annotators in `annotators`; comparisons expand them like any other."""

import dagster as dg
import pytest

from ca_assets.defs.annotation.assets import annotators
from ca_assets.defs.comparisons.assets import comparisons, comparisons_checks
from ca_assets.defs.inbox.assets import inbox, inbox_checks
from ca_assets.defs.inbox.human import human_checks, human_conversations
from ca_assets.defs.quality import assets as quality
from ca_assets.defs.quality.rules import QualityRules
from ca_assets.defs.values.assets import calibration_set, candidate_values_by_source
from ca_assets.models.embeddings import Embedder
from ca_assets.vocab import HUMAN
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import write_fixture
from ca_assets_tests.support.calibration_embeddings import seed
from ca_assets_tests.support.union_views import view_assets

pytestmark = pytest.mark.slow

HUMAN_VALUES = next(a for a in candidate_values_by_source if a.key.path[0] == HUMAN)
VIEWS = [v for v in view_assets if v.key.path[-1] in {"candidate_sets", "candidates", "candidate_values", "annotations"}]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, calibration_embeddings):
    from ca_assets.core.duckdb import DuckDB

    duckdb = DuckDB(data_dir=str(tmp_path_factory.mktemp("human") / "data"))
    seed(duckdb, calibration_embeddings)
    manifest = write_fixture(duckdb.subdir("inbox") / "ca_release.csv", count=30, seed=5, quirk_rate=0.05)
    checked = [quality.gold_items, quality.gold_answers, quality.annotator_quality, quality.quality_quarantine]
    assets = [inbox, human_conversations, annotators, calibration_set, HUMAN_VALUES, *VIEWS, *checked, comparisons]
    result = dg.materialize(
        [*assets, *inbox_checks, *human_checks, *quality.quality_checks, *comparisons_checks],
        resources={"duckdb": duckdb, "embedder": Embedder(), "judge_generator": None, "quality_rules": QualityRules()},
        run_config={"ops": {"main__annotators": {"config": {"per_country": 1}}}},
        **batch_run(duckdb),
    )
    assert result.success
    return duckdb, manifest, result


def test_every_kept_turn_is_one_human_annotation_with_its_label_and_feedback(loaded):
    duckdb, _, result = loaded
    assert all(e.passed for e in result.get_asset_check_evaluations())
    with duckdb.connect(read_only=True) as con:
        turns = con.sql("select count(*) from human_turns").fetchall()[0][0]
        mismatched = con.sql(
            "select count(*) from main.annotations a join human.candidate_sets s using (set_id) "
            "join human_turns t on t.file_sha = s.file_sha and t.source_line = s.source_line and t.turn = s.turn "
            "where a.chosen_position <> replace(t.preferred, 'response_', '') or a.explanation is distinct from t.feedback "
            "or a.annotator_id <> t.annotator_id or a.source <> 'human'"
        ).fetchall()[0][0]
        per_source = dict(con.sql("select source, count(*) from main.annotations group by source").fetchall())
        candidates = con.sql("select count(*) from main.candidates").fetchall()[0][0]
    assert turns > 0 and per_source == {"human": turns}
    assert mismatched == 0
    assert candidates == 4 * turns


def test_later_turns_carry_the_files_history(loaded):
    duckdb, _, _ = loaded
    with duckdb.connect(read_only=True) as con:
        rows = con.sql(
            "select s.turn, s.messages, t.prompt from human.candidate_sets s join human_turns t "
            "on t.file_sha = s.file_sha and t.source_line = s.source_line and t.turn = s.turn order by s.set_id"
        ).fetchall()
        breaks = con.sql(
            "with prev as (select s.conversation_id, s.turn + 1 as next_turn, s.messages, c.text as chosen "
            "from human.candidate_sets s join main.annotations a using (set_id) "
            "join main.candidates c on c.set_id = s.set_id and c.position = a.chosen_position) "
            "select count(*) from human.candidate_sets s join prev p on p.conversation_id = s.conversation_id and p.next_turn = s.turn "
            "where s.messages[:len(p.messages) + 1] <> list_append(p.messages, {'role': 'assistant', 'content': p.chosen})"
        ).fetchall()[0][0]
    assert any(turn > 1 for turn, _, _ in rows), "the fixture has multi-turn conversations"
    for turn, messages, prompt in rows:
        assert len(messages) == 2 * turn - 1
        assert messages[-1] == {"role": "user", "content": prompt}
    assert breaks == 0


def test_human_annotators_join_the_annotators_table_and_comparisons_expand(loaded):
    duckdb, _, _ = loaded
    with duckdb.connect(read_only=True) as con:
        missing = con.sql(
            "select count(distinct annotator_id) from main.annotations anti join annotators using (annotator_id)"
        ).fetchall()[0][0]
        sources = dict(con.sql("select source, count(*) from annotators group by source").fetchall())
        comparisons, annotations, quarantined = con.sql(
            "select (select count(*) from comparisons), (select count(*) from main.annotations), "
            "(select count(*) from quality_quarantine)"
        ).fetchall()[0]
        sampler = con.sql("select distinct sampler from comparisons").fetchall()
    assert missing == 0 and sources["human"] > 0 and sources["simulated"] == 5
    assert comparisons == 3 * (annotations - quarantined)
    assert sampler == [("unknown",)]
