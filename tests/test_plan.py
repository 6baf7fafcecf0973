"""The DAG's file layout (icegp.plan.layout, re-exported by icegp.plan): one home for every results/,
logs/ and benchmarks/ path, and a run's root that the `{root}` wildcard matches without an empty match."""

import ast
import re

from icegp import plan

from conftest import REPO

LAYOUT = re.compile(r"^(results|logs|benchmarks)(/|$)|[{}]root[{}]")


def string_constants(tree: ast.Module):
    """The string literals of a module that are not docstrings."""
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node


def test_only_the_layout_module_spells_a_path_of_the_layout():
    home = REPO / "src" / "icegp" / "plan" / "layout.py"
    assert home.is_file()  # a moved home must move this test with it, not make it vacuous
    found = []
    for path in sorted((REPO / "src" / "icegp").rglob("*.py")):
        if path == home:
            continue
        for node in string_constants(ast.parse(path.read_text())):
            if LAYOUT.search(node.value):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    assert not found, "\n".join(found)


def test_a_root_is_never_empty_and_names_its_run():
    assert re.fullmatch(plan.ROOT, "") is None
    assert re.fullmatch(plan.ROOT, "runs/m52") is None  # a run's root is under results/
    assert plan.root() == "results" and re.fullmatch(plan.ROOT, plan.root())
    assert plan.root("m52") == "results/runs/m52" and re.fullmatch(plan.ROOT, plan.root("m52"))
    assert plan.run_of(plan.fill(plan.PRODUCT, root=plan.root("m-5_2"), target="2019-04-15")) == "m-5_2"
    assert plan.run_of(plan.fill(plan.PRODUCT, root=plan.root(), target="2019-04-15")) is None
    # a benchmark file's job path, as the trade-off reads it
    job = plan.fill(plan.SHARD_JOB, root=plan.root("m52"), target="2019-04-15", shard="0")
    assert job == "results/runs/m52/2019-04-15/0" and plan.run_of(job) == "m52"


def test_fill_leaves_the_wildcards_it_is_not_given():
    assert plan.fill(plan.PLOT, name="std") == "{root}/{target}/plots/std.png"
    assert plan.fill(plan.PLOT, root="results", target="2019-04-15", name="std") == "results/2019-04-15/plots/std.png"
    assert plan.benchmark("train", plan.SHARD_JOB) == "benchmarks/train/{root}/{target}/{shard}.tsv"
    assert plan.log("season") == "logs/season/all.log"
