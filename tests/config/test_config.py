"""The schema as the one home of the config: its defaults reach the code, its descriptions are the
README's tables, overlays merge sources by name, and old spellings are renamed or refused clearly."""

import copy
import functools

import pytest
import yaml
from snakemake.exceptions import WorkflowError

from icegp import config, plan
from icegp.config import doc, runs

from conftest import REPO

DEMO = REPO / "config" / "config.yaml"


def described(properties: dict, prefix: str = ""):
    for key, sub in properties.items():
        yield f"{prefix}{key}", "description" in sub
        if "properties" in sub:
            yield from described(sub["properties"], f"{prefix}{key}.")
        if isinstance(sub.get("additionalProperties"), dict):
            yield from described(sub["additionalProperties"]["properties"], f"{prefix}{key}.<name>.")


def test_every_key_is_described_and_the_readme_tables_are_generated_from_the_schema():
    assert [key for key, ok in described(config.schema()["properties"]) if not ok] == []
    readme = doc.README.read_text()
    assert doc.rewritten(readme, doc.render()) == readme, "run python -m icegp.config.doc"
    assert "| `kernel` | `Matern32` |" in readme and "nsidc_cdr_sic: true" in readme


def test_defaults_come_from_the_schema_per_source_type():
    cfg = config.resolve(
        {
            "targets": ["2019-04-15"],
            "sources": {
                "is2": {"type": "is2sitdat4", "path": "d"},
                "sic": {"type": "nsidc_cdr_sic", "url": "http://h/{YYYYMMDD}.nc"},
            },
        }
    )
    is2, sic = cfg["sources"]["is2"], cfg["sources"]["sic"]
    assert is2["beams"] == ["bnum1", "bnum3", "bnum5"] and is2["N_subsample"] == 1 and is2["time_stamps"] == "exact"
    assert sic["use_prediction_day_only"] and sic["cache"] == "resources/sic" and sic["time_stamps"] == "day"
    assert "beams" not in sic and "sic_cutoff" not in is2
    assert cfg["experts"]["min_obs"] == 10 and cfg["training"]["kernel"] == "Matern32"
    assert cfg["training"]["bounds"]["kernel_variance"] == {"low": 0.001, "high": 5}


def test_a_demo_source_without_beams_declares_the_demo_files():
    """Without `beams` the load job must still wait for the demo's files (they are its inputs)."""
    cfg = config.resolve(
        {
            "targets": ["2019-04-15"],
            "demo": {"enabled": True},
            "sources": {"is2": {"type": "is2sitdat4", "path": "resources/demo/is2"}},
        }
    )
    inputs = plan.load_inputs(cfg, config.sources(cfg)["is2"], "2019-04-15")
    assert len(inputs) == 3 and all(f.startswith("resources/demo/is2/20190415/") for f in inputs)


def test_overlays_merge_sources_by_name():
    cfg = config.load(DEMO, REPO / "config/presets/aggressive.yaml")
    is2, smap = cfg["sources"]["is2"], cfg["sources"]["smap"]
    assert is2["N_subsample"] == 3 and is2["path"] == "resources/demo/is2"
    assert smap["use_prediction_day_only"] and smap["coarsen"] == 4
    gpsat = config.load(DEMO, REPO / "config/examples/gpsat_inputs.yaml")
    assert list(config.sources(gpsat)) == ["gpsat"]


def test_old_spellings_are_renamed_or_refused_with_the_new_layout():
    cfg = config.resolve(
        {
            "targets": ["2019-04-15"],
            "sources": {"smap": {"type": "bremen_smos_smap", "path": "x", "smap_use_prediction_day_only": True}},
        }
    )
    assert cfg["sources"]["smap"]["use_prediction_day_only"] is True
    with pytest.raises(ValueError, match=r"sources are a mapping .*sources: \{is2: \{type: is2sitdat4"):
        config.resolve({"targets": ["2019-04-15"], "sources": [{"name": "is2", "type": "is2sitdat4"}]})
    with pytest.raises(WorkflowError):
        config.resolve({"targets": ["2019-04-15"], "sources": {"is2": {"type": "is2sitdat4", "beam": ["x"]}}})
    with pytest.raises(ValueError, match="every source has enabled: false"):
        config.sources(
            config.resolve(
                {"targets": ["2019-04-15"], "sources": {"is2": {"type": "is2sitdat4", "path": "x", "enabled": False}}}
            )
        )


def test_a_run_is_the_config_with_its_overlays_and_shares_what_it_must():
    cfg = config.load(DEMO, REPO / "config" / "tradeoff.yaml")
    aggressive = config.run_config(cfg, "aggressive-reference")
    assert aggressive["training"]["engine"] == "reference" and aggressive["training"]["model_type"] == "SGPR"
    assert aggressive["sources"]["is2"]["N_subsample"] == 3 and aggressive["runs"] == {}
    keys = {name: runs.source_key(cfg, src) for name, src in config.sources(aggressive).items()}
    assert keys["smap"] == "smap"  # only its window differs: the run shares the config's loads
    assert keys["is2"].startswith("is2~") and keys["is2"] == runs.source_key(cfg, config.sources(aggressive)["is2"])
    assert runs.source_key(cfg, config.sources(config.run_config(cfg, "baseline-fast"))["is2"]) == "is2"
    for overlay, key in [
        ({"crs": "EPSG:6931"}, "crs"),
        ({"training": {"threads": 4}}, "training.threads"),
        ({"prediction": {"grid_spacing": 25000}}, "prediction.grid_spacing"),
        ({"sources": {"smap": {"enabled": False}}}, "sources"),
    ]:
        bad = {**cfg, "runs": {"bad": {"configfiles": [], "config": overlay}}}
        with pytest.raises(ValueError, match=rf"runs.bad: a run cannot change {key}"):
            config.run_config(bad, "bad")
    with pytest.raises(ValueError, match="no run 'nope'"):
        config.run_config(cfg, "nope")


@pytest.mark.parametrize(
    "change,key",
    [
        ({"url": "https://other.example.org/{YYYYMMDD}_north_mix_sit_v300.nc"}, "sources.smap.url"),
        ({"cache": "resources/other_cache"}, "sources.smap.cache"),
    ],
)
def test_a_run_that_changes_a_fetched_source_is_refused_naming_the_key(change, key):
    """A fetched source's download (results/fetch/{source}/{day}.json) is the config's, whatever a run
    sets: a run that changed its url or cache would load the config's file under its own key."""
    fetched = {"url": "https://data.example.org/{YYYYMMDD}_north_mix_sit_v300.nc", "cache": "resources/smap_cache"}
    cfg = config.resolve(config.merged(config.load(DEMO), {"sources": {"smap": fetched}}))
    bad = {**cfg, "runs": {"other": {"configfiles": [], "config": {"sources": {"smap": change}}}}}
    with pytest.raises(ValueError, match=rf"runs.other: a run cannot change {key}"):
        config.run_config(bad, "other")
    fine = {**cfg, "runs": {"sub": {"configfiles": [], "config": {"sources": {"is2": {"N_subsample": 4}}}}}}
    assert config.run_config(fine, "sub")["sources"]["smap"]["url"] == fetched["url"]


@pytest.mark.parametrize("gpsat_name,ours", [("GPflowGPRModel", "GPR"), ("GPflowSGPRModel", "SGPR")])
def test_gpsat_model_class_names_mean_our_models(gpsat_name, ours):
    assert config.section("training", {"model_type": gpsat_name})["model_type"] == ours


@pytest.mark.parametrize("name", ["GPflowVFFModel", "GPflowASVGPModel"])
def test_gpsat_models_we_do_not_offer_are_refused_with_what_to_use(name):
    with pytest.raises(ValueError, match=rf"training.model_type: '{name}': .*not built yet\. Use SGPR"):
        config.section("training", {"model_type": name})


def test_the_demo_config_states_only_what_differs_from_the_schema():
    """config/config.yaml holds only the demo's own choices: a key equal to its schema default would
    hide a changed default from the demo (each key is taken out in turn; the config must change)."""
    raw = yaml.safe_load(DEMO.read_text())
    full = config.resolve(raw)

    def leaves(node, path=()):
        for key, value in node.items():
            yield from leaves(value, (*path, key)) if isinstance(value, dict) and value else [(*path, key)]

    restated = []
    for path in leaves(raw):
        trimmed = copy.deepcopy(raw)
        parent = functools.reduce(lambda node, key: node[key], path[:-1], trimmed)
        del parent[path[-1]]
        try:
            if config.resolve(trimmed) == full:
                restated.append(".".join(path))
        except WorkflowError:  # a required key
            pass
    assert not restated, f"config/config.yaml restates schema defaults: {restated}"
