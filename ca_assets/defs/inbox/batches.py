"""Inbox batches: each file dropped in the data directory's inbox/ is one partition of the inbox assets
(dynamic partitions named `inbox_batches`, keyed by the file's name). The inbox sensor adds a file's partition
and launches its run; `ca-assets ingest` (make ingest) adds every file's and runs them all in one run."""

import os
from pathlib import Path

import dagster as dg

INBOX = "inbox"
INBOX_BATCHES = dg.DynamicPartitionsDefinition(name="inbox_batches")
SUFFIXES = (".csv", ".jsonl")
# What Dagster refuses inside a partition key (dagster/_core/definitions/partitions/utils/base.py).
_NOT_IN_KEYS = ("...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")


def inbox_files(folder: Path) -> list[Path]:
    """The files to ingest, whatever the case of their suffix (`Results.CSV`); a symbolic link is listed too, so
    that its run refuses it by name instead of leaving it unread without a word."""
    return sorted(p for p in folder.iterdir() if (p.is_file() or p.is_symlink()) and p.suffix.lower() in SUFFIXES)


def shown_name(path: Path) -> str:
    """The file's name as text; the bytes of a name that is not UTF-8 show as \ufffd."""
    return os.fsencode(path.name).decode("utf-8", errors="replace")


def batch_key(path: Path) -> str:
    """The file's partition key: its name as people see it in the UI, with what a key cannot hold as `_`."""
    key = shown_name(path)
    for bad in _NOT_IN_KEYS:
        key = key.replace(bad, "_")
    return key


def add_batches(instance: dg.DagsterInstance, folder: Path) -> list[str]:
    """Register the partition of every file in `folder`; the keys, in the order the instance lists them."""
    keys = {batch_key(path) for path in inbox_files(folder)}
    known = instance.get_dynamic_partitions(INBOX_BATCHES.name)
    instance.add_dynamic_partitions(INBOX_BATCHES.name, sorted(keys - set(known)))
    return [key for key in instance.get_dynamic_partitions(INBOX_BATCHES.name) if key in keys]

