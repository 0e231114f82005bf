"""The layout and the one naming rule (docs/architecture.md): a stage is a folder under defs/, sql/ and the tests,
and its Dagster group; a table's asset key tail, SQL recipe, Pandera model and function carry one name."""

import ast
import inspect
import re
from pathlib import Path

import dagster as dg
import pandera.pandas as pa

from ca_assets.core.checks import MODELS
from ca_assets.core.schema import Model
from ca_assets.definitions import defs
from ca_assets.defs import STAGES as STAGE_ORDER
from ca_assets.defs.release.assets import FILES, FILES_KEY
from ca_assets.vocab import HUMAN, TURNS, turn_schema

ROOT = Path(__file__).resolve().parents[2]
DEFS, SQL, TESTS = ROOT / "ca_assets" / "defs", ROOT / "sql", ROOT / "ca_assets_tests"
STAGES = set(STAGE_ORDER)
SHARED_SQL = {"core", "models", "formats"}  # the SQL of the shared code (core/, models/, formats/)
SCHEMAS = {"main", HUMAN, "release", *(turn_schema(turn) for turn in TURNS)}
FILE_KEYS = {FILES_KEY, "snapshot"}  # keys of files, not tables: files/<name> under <data>/releases/, snapshot/ca
# Functions that build one asset per turn, view or file, and steps that write several tables at once: these name
# the step, not a table.
FACTORY_FUNCTIONS = {"view", "release_file"}
MIXINS = {"AnnotatorFields"}  # column groups several models share, not tables


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _graph():
    return defs().get_repository_def().asset_graph


def test_a_stage_is_a_folder_in_defs_sql_and_tests_and_a_group():
    folders = {p.name for p in DEFS.iterdir() if (p / "__init__.py").is_file()}
    assert folders == STAGES
    for stage in STAGES:
        assert (DEFS / stage / "README.md").is_file(), stage
        assert (DEFS / stage / "schemas.py").is_file(), stage
        assert (SQL / stage).is_dir(), stage
    assert {p.name for p in SQL.iterdir() if p.is_dir()} == STAGES | SHARED_SQL
    assert not list(SQL.glob("*.sql")), "every SQL file lives in a stage's folder or a shared one"
    assert {p.name for p in (TESTS / "unit").iterdir() if p.is_dir() and p.name != "__pycache__"} <= STAGES | SHARED_SQL
    graph = _graph()
    assert {graph.get(key).group_name for key in graph.get_all_asset_keys()} == STAGES


def test_a_tables_key_recipe_model_and_function_share_its_name():
    graph = _graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        where, name = key.path
        if where in FILE_KEYS:
            continue
        assert where in SCHEMAS, key
        if node.description.startswith("View:"):  # main's union of the turns: it adds no name of its own
            assert where == "main" and {parent.path[-1] for parent in node.parent_keys} == {name}, key
            continue
        assert MODELS[(where, name)].__name__ == pascal(name), key
        recipe = SQL / node.group_name / f"{name}.sql"
        assert recipe.is_file(), (key, recipe)
        assert re.search(rf"(create or replace (table|view)|insert into) (main\.)?{name}\b", recipe.read_text(encoding="utf-8")), recipe
        assets_def = node.assets_def
        if isinstance(assets_def.node_def, dg.GraphDefinition):  # a model step's plan/sample/write ops: named by key
            assert assets_def.node_def.name == f"{where}__{name}" or len(assets_def.keys) > 1, key
            continue
        function = assets_def.op.compute_fn.decorated_fn.__name__
        if len(assets_def.keys) == 1 and function not in FACTORY_FUNCTIONS:
            assert function == name, (key, function)


def test_every_release_file_has_its_recipe_and_model_under_its_name():
    for name, (model, _) in FILES.items():
        assert model.__name__ == pascal(name), name
        assert (SQL / "release" / "files" / f"{name}.sql").is_file(), name


def test_every_stage_recipe_is_a_table_and_every_model_checks_one():
    graph = _graph()
    tables = {(graph.get(key).group_name, key.path[-1]) for key in graph.get_all_asset_keys() if key.path[0] not in FILE_KEYS}
    for stage in STAGES:
        for recipe in (SQL / stage).glob("*.sql"):
            assert (stage, recipe.stem) in tables, recipe
    checked = set(MODELS.values()) | {model for model, _ in FILES.values()}
    for stage in STAGES:
        module = __import__(f"ca_assets.defs.{stage}.schemas", fromlist=["_"])
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Model) and cls.__module__ == module.__name__ and name not in MIXINS:
                assert cls in checked, f"{module.__name__}.{name} checks no table"
    assert all(issubclass(model, pa.DataFrameModel) for model in checked)


def test_shared_code_imports_no_stage():
    """core/ imports only vocab (and itself); models/ and formats/ add core: no shared module reaches into a stage."""
    allowed = {"core": ("ca_assets.core", "ca_assets.vocab"), "models": ("ca_assets.core", "ca_assets.vocab", "ca_assets.models"),
               "formats": ("ca_assets.core", "ca_assets.vocab", "ca_assets.formats")}  # fmt: skip
    for place, prefixes in allowed.items():
        for path in (ROOT / "ca_assets" / place).glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ca_assets"):
                    assert node.module.startswith(prefixes), f"{path.relative_to(ROOT)} imports {node.module}"
