"""ca_assets: Dagster assets that build pluralistic, multilingual, multi-turn LLM preference datasets."""
