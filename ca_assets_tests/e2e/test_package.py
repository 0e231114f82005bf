"""The project as an installed package, not a checkout: the wheel carries sql/, prompts/, the instance settings and
the demo config, its base requirements hold no torch, and installed outside the checkout it loads its definitions
and reads every SQL file and prompt through importlib.resources. (The whole `pip install <clone>` + `ca-assets demo`
in a fresh environment takes minutes: docs/testing.md gives its last measured run.)"""

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGED_FOLDERS = ("sql", "prompts")
# What the installed code needs beside the Python modules.
PACKAGED_FILES = {"ca_assets/dagster.yaml", "ca_assets/workspace.yaml", "ca_assets/dg.toml", "ca_assets/cli/demo_config.yaml"}
# Distributions the base install must not pull: torch alone is several GB, a CUDA build where it is not pinned.
HEAVY = {"torch", "sentence-transformers", "sentence_transformers", "vllm", "transformers"}


def _source_tree(dest: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) copied to `dest`: a build in the checkout itself would
    reuse setuptools' build/ folder, whose copies of moved or deleted files would ship."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in listed.stdout.splitlines():
        source, target = ROOT / name, dest / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = _source_tree(tmp_path_factory.mktemp("source"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    return next(out.glob("ca_assets-*.whl"))


def test_the_wheel_carries_every_sql_and_prompt_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in PACKAGED_FOLDERS:
        files = [path for path in (ROOT / folder).rglob("*") if path.is_file()]
        assert files, folder
        missing = {f"ca_assets/{path.relative_to(ROOT).as_posix()}" for path in files} - names
        assert not missing, sorted(missing)[:10]
    assert names >= PACKAGED_FILES, PACKAGED_FILES - names
    assert not any(name.startswith("ca_assets_tests/") for name in names)


def test_the_base_install_requires_no_torch(wheel):
    metadata = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info/METADATA")
    requires = [line.split(":", 1)[1].strip() for line in metadata.decode().splitlines() if line.startswith("Requires-Dist:")]
    base = [requirement for requirement in requires if "extra ==" not in requirement]
    names = {requirement.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower() for requirement in base}
    assert names and not names & HEAVY, sorted(names & HEAVY)
    extras = {requirement.split("extra ==")[1].strip().strip("'\"") for requirement in requires if "extra ==" in requirement}
    assert {"sentence-transformers", "vllm", "test"} <= extras, extras


@pytest.mark.slow
def test_installed_outside_the_checkout_it_loads_and_reads_its_files(wheel, tmp_path):
    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    probe = textwrap.dedent(
        """
        from pathlib import Path
        import ca_assets
        from ca_assets.definitions import defs
        from ca_assets.core.paths import PROMPTS_DIR, SQL_DIR
        from ca_assets.core.sql import load_sql
        from ca_assets.models.templates import load_template

        assert Path(ca_assets.__file__).resolve().is_relative_to(Path.cwd() / "site"), ca_assets.__file__
        sql = [p for p in Path(str(SQL_DIR)).rglob("*.sql")]
        for path in sql:
            load_sql(*path.relative_to(Path(str(SQL_DIR))).with_suffix("").parts)
        load_template("nc", 1, "hi")
        graph = defs().get_repository_def().asset_graph
        print(len(sql), len(list(Path(str(PROMPTS_DIR)).rglob("*.*"))), len(graph.get_all_asset_keys()))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-3000:]
    sql_files, prompt_files, assets = map(int, ran.stdout.split())
    assert sql_files == len(list((ROOT / "sql").rglob("*.sql")))
    assert prompt_files == len([p for p in (ROOT / "prompts").rglob("*.*") if p.is_file()])
    assert assets > 50
    helped = subprocess.run(
        [sys.executable, "-m", "ca_assets.cli.main", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert helped.returncode == 0 and "export-vllm-model" in helped.stdout, helped.stderr
