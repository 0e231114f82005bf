"""Shared code used by every stage: storage, SQL and template loaders, checks, model backends."""
