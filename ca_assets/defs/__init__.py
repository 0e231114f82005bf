"""One folder per stage, in the order data flows through them; each stage is also its assets' Dagster group and
its folder under sql/ (docs/architecture.md)."""

STAGES = ("prompts", "generation", "values", "annotation", "inbox", "quality", "comparisons", "aggregates", "release", "analysis")
