import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from ca_assets.lib.checks import DUCKDB_POOL, schema_check, table_key
from ca_assets.lib.duckdb import DuckDB
from ca_assets.lib.ids import stable_id, stable_seed
from ca_assets.lib.samplers import POSITIONS
from ca_assets.lib.schemas import Annotations, Annotators
from ca_assets.lib.simulation import COUNTRIES, choose, simulate_annotators
from ca_assets.lib.sql import load_sql
from ca_assets.lib.tables import write_table

GROUP = "annotation"


class AnnotatorsConfig(dg.Config):
    per_country: int = Field(default=4, description="Simulated annotators per country (5 countries).")
    seed: int = Field(default=0, description="Seed for the annotators' ideal points and biases.")


class AnnotationsConfig(dg.Config):
    seed: int = Field(default=0, description="Seed for the choice noise; each (annotator, set) derives its own.")


@dg.asset(key=table_key("annotators"), group_name=GROUP, kinds={"duckdb"}, pool=DUCKDB_POOL)
def annotators(config: AnnotatorsConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per annotator (pseudonymous id) with country and assigned language. Simulated
    annotators also carry an ideal point on the two Inglehart–Welzel axes, drawn around their country's
    position, a bias toward position a and a choice sharpness."""
    frame = pd.DataFrame(simulate_annotators(config.per_country, config.seed))
    return write_table(
        duckdb,
        "annotators",
        {"annotator_rows": frame},
        countries=dg.MetadataValue.json({c.name: c.lang for c in COUNTRIES}),
    )


@dg.asset(
    key=table_key("annotations"),
    deps=[table_key("annotators"), table_key("candidate_sets"), table_key("candidate_values")],
    group_name=GROUP,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def annotations(config: AnnotationsConfig, duckdb: DuckDB) -> dg.MaterializeResult:
    """Grain: one row per (annotator, candidate set): the candidate the annotator chose as best of four.
    Simulated annotators see every set in their assigned language and choose with a noisy value-based
    utility (closer to their ideal point is better) plus position bias."""
    with duckdb.connect(read_only=True) as con:
        people = con.sql(load_sql("queries", "simulated_annotators")).df()
        options = con.sql(load_sql("queries", "annotation_options")).df()
    rows = []
    for set_id, group in options.groupby("set_id", sort=True):
        group = group.sort_values("position")
        if list(group["position"]) != list(POSITIONS):
            raise dg.Failure(f"candidate set {set_id} does not have positions a-d; the candidates checks should have blocked this")
        points = group[["trad_secular", "surv_self"]].to_numpy()
        lang = group["lang"].iloc[0]
        for person in people[people["assigned_lang"] == lang].itertuples(index=False):
            rng = np.random.default_rng(stable_seed("choice", person.annotator_id, set_id, config.seed))
            pick = choose(
                (person.ideal_trad_secular, person.ideal_surv_self), points, person.position_bias, person.sharpness, rng
            )
            rows.append(
                {
                    "annotation_id": stable_id("annotation", person.annotator_id, set_id),
                    "annotator_id": person.annotator_id,
                    "set_id": set_id,
                    "chosen_position": POSITIONS[pick],
                    "source": "simulated",
                    "explanation": None,
                }
            )
    frame = pd.DataFrame(rows, columns=list(Annotations.to_schema().columns))
    return write_table(
        duckdb,
        "annotations",
        {"annotation_rows": frame},
        chosen_positions=dg.MetadataValue.json(frame["chosen_position"].value_counts().sort_index().to_dict()),
    )


annotation_checks = [schema_check("annotators", Annotators), schema_check("annotations", Annotations)]
