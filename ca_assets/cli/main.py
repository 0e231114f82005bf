"""`ca-assets`: what the Makefile's targets do, for an installed package (`pip install .`) as for a checkout.

    ca-assets demo [--full]                the whole asset graph on the embedded defaults, then what it made
    ca-assets ingest [FILE ...]            copy files into <data>/inbox/, then ingest every file there in one run
    ca-assets ui [--host H] [--port P]     the Dagster UI (and its daemon) over the same data directory
    ca-assets free-slots                   free the pool slots that runs killed mid-step still hold
    ca-assets export-vllm-model OUT_DIR    convert a GGUF (default: the bundled one) to the folder vLLM loads
    ca-assets annotate serve|new-study|export|revoke|reissue   the live annotation app (docs/annotate.md)

Every command takes --data-dir (default: $CA_DATA_DIR, else ./data). The Dagster instance lives in <data>/dagster
unless DAGSTER_HOME is set; its settings (pools of one step, telemetry off) are written there on first use.
Other programs are started with argument lists, never through a shell: a file name is never parsed as a command.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ca_assets.core.paths import DATA_DIR_ENV, LOCKDOWN_ENV, PACKAGE

DEFINITIONS = "ca_assets.definitions"
DEMO_CONFIG = PACKAGE / "cli" / "demo_config.yaml"
# The whole graph but the inbox's four per-file assets, which run for each file dropped in inbox/ (`ingest`).
DEMO_SELECTION = "not tag:partitioned=per_file"


def _dg() -> str:
    """The `dg` command of the environment running this one."""
    beside = Path(sys.executable).with_name("dg")
    found = str(beside) if beside.exists() else shutil.which("dg")
    if not found:
        raise SystemExit("the `dg` command (dagster-dg-cli) is not installed in this environment")
    return found


def _environment(data_dir: str | None) -> Path:
    """Point this process and its children at the data directory and its Dagster instance; return the folder."""
    data = Path(data_dir or os.environ.get(DATA_DIR_ENV, "data")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    os.environ[DATA_DIR_ENV] = str(data)
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(data / "dagster")))
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():  # a user's own instance settings are left alone
        settings.write_text((PACKAGE / "dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    # Models load by path: a hub lookup would hang before failing on a machine without the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return data


def free_slots() -> int:
    from dagster import DagsterInstance

    from ca_assets.core.instance import release_dead_runs

    with DagsterInstance.get() as instance:
        for run_id in release_dead_runs(instance):
            print(f"released the pool slots of dead run {run_id}")
    return 0


def demo(full: bool) -> int:
    from ca_assets.models.language import ALL_LANGS_RANGE

    free_slots()  # a demo killed earlier must not leave this one waiting for its pool slot
    command = [_dg(), "launch", "-m", DEFINITIONS, "--assets", DEMO_SELECTION, "--partition-range", ALL_LANGS_RANGE]
    if not full:
        command += ["--config", str(DEMO_CONFIG)]
    done = subprocess.call(command)
    if done:
        return done
    from ca_assets.cli.summary import main as summary

    summary()
    return 0


def ingest(files: Sequence[str]) -> int:
    """Copy `files` into inbox/, register every inbox file as a batch partition, and run `ingest` over them all."""
    from dagster import DagsterInstance

    from ca_assets.core.partitions import range_arg
    from ca_assets.defs.inbox.batches import INBOX, add_batches

    folder = Path(os.environ[DATA_DIR_ENV]) / INBOX
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        source = Path(name)
        if not source.is_file():
            raise SystemExit(f"{name}: no such file")
        shutil.copy2(source, folder / source.name)
    with DagsterInstance.get() as instance:
        keys = add_batches(instance, folder)
    if not keys:
        print(f"nothing to ingest: no .csv or .jsonl file in {folder}")
        return 0
    print(f"ingesting {len(keys)} batch(es) from {folder}: {', '.join(keys)}")
    return subprocess.call([_dg(), "launch", "-m", DEFINITIONS, "--job", "ingest", "--partition-range", range_arg(keys)])


def ui(host: str, port: int) -> int:
    """`dg dev` on the workspace file the package ships (code location `ca_assets`), replacing this process."""
    # Started in the background, a shell ignores SIGINT, and `dagster dev` inherits that and then ignores both SIGINT
    # and SIGTERM: restore the default so Ctrl-C and `kill` stop it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    workspace = str(PACKAGE / "workspace.yaml")
    dg = _dg()
    # Anyone who reaches the UI can launch runs with any run config: the runs it launches inherit the lockdown
    # (core/paths.py), unless the deployment turned it off on purpose (CA_LOCKDOWN=0).
    os.environ.setdefault(LOCKDOWN_ENV, "1")
    os.execv(dg, [dg, "dev", "-w", workspace, "--host", host, "--port", str(port)])


def export_vllm_model(out: str, gguf: str | None) -> int:
    from ca_assets.models.hf_export import export_model

    export_model(Path(out), Path(gguf) if gguf else None)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ca-assets", description=__doc__.splitlines()[0])
    top.add_argument("--data-dir", help=f"data directory (default: ${DATA_DIR_ENV}, else ./data)")
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser("demo", help="build the whole asset graph on the embedded defaults and print what it made")
    run.add_argument("--full", action="store_true", help="the whole prompt bank and default sizes (hours on a CPU)")
    run = commands.add_parser("ingest", help="ingest human annotation files (copied into <data>/inbox/ first)")
    run.add_argument("files", nargs="*", metavar="FILE")
    run = commands.add_parser("ui", help="start the Dagster UI over the same data")
    run.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1: the UI has no login, see docs/operations.md")
    run.add_argument("--port", type=int, default=3000)
    commands.add_parser("free-slots", help="free the pool slots of runs that died without saying so")
    run = commands.add_parser("export-vllm-model", help="convert a GGUF model to the Hugging Face folder vLLM loads")
    run.add_argument("out", metavar="OUT_DIR")
    run.add_argument("--gguf", help="default: the bundled SmolLM2-135M GGUF")
    from ca_assets.annotate.cli import add_parser

    add_parser(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "export-vllm-model":  # needs no data directory
        return export_vllm_model(args.out, args.gguf)
    _environment(args.data_dir)
    if args.command == "demo":
        return demo(args.full)
    if args.command == "ingest":
        return ingest(args.files)
    if args.command == "ui":
        return ui(args.host, args.port)
    if args.command == "annotate":
        from ca_assets.annotate.cli import main as annotate

        return annotate(args, Path(os.environ[DATA_DIR_ENV]))
    return free_slots()


if __name__ == "__main__":
    sys.exit(main())
