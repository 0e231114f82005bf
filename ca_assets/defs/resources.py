"""Resources shared by every stage, registered once (tests swap them by key), and the executor."""

import dagster as dg

from ca_assets.core.duckdb import DuckDB
from ca_assets.core.handoff import handoff_io_manager
from ca_assets.defs.prompts.prompt_bank import PromptSources
from ca_assets.defs.quality.rules import QualityRules
from ca_assets.defs.release.files import ReleaseSettings
from ca_assets.models.embeddings import Embedder
from ca_assets.models.generation import Generator
from ca_assets.models.samplers import SamplingSettings


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "duckdb": DuckDB(),
            # Where prompts come from: the bundled bank and/or the user's files under the data directory.
            "prompt_sources": PromptSources(),
            "generator": Generator(),
            # The LLM value judge's model: in production usually a larger model than the candidates' generator.
            "judge_generator": Generator(),
            "embedder": Embedder(),
            # Answer length, temperature, retries and seed, shared by every turn's generation and the user simulator.
            "sampling": SamplingSettings(),
            # Thresholds of quality control, shared by annotator_quality and quality_quarantine.
            "quality_rules": QualityRules(),
            # What a release holds (PII, annotator-written prompts) and the licences its rows carry.
            "release": ReleaseSettings(),
            # Where the model steps' ops hand over their plan and samples (core/handoff.py); assets return no values.
            "io_manager": handoff_io_manager,
        },
        # One process per run: the multiprocess executor pays ~6 s of imports per step (x 25 steps), and
        # the graph is a chain around one DuckDB writer, so parallel steps would only queue on its lock.
        executor=dg.in_process_executor,
    )
