"""icegp.report.timing on real benchmark files, written as Snakemake 9 writes them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_figures import assert_valid_png

from icegp import contracts
from icegp.jobs import report
from icegp.report import timing

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time"


def write_bench(root, rel: str, *runs) -> None:
    """One benchmark file; each run is (s, cpu_time, max_rss), None for Snakemake's NA."""
    lines = [HEADER]
    for s, cpu, rss in runs:
        mem = "NA" if rss is None else f"{rss:.2f}"
        lines.append(
            "\t".join(
                [
                    f"{s:.4f}",
                    f"0:00:{int(s):02d}",
                    mem,
                    "812.50",
                    mem,
                    mem,
                    "0.01",
                    "1.20",
                    "NA" if cpu is None else "87.50",
                    "NA" if cpu is None else f"{cpu:.2f}",
                ]
            )
        )
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def bench(tmp_path):
    root = tmp_path / "benchmarks"
    write_bench(root, "predict/2019-04-15/0.tsv", (8.0, 7.5, 300.0))
    write_bench(root, "train/2019-04-15/0.tsv", (10.0, 20.0, 500.0), (30.0, 50.0, 900.0), (11.0, 22.0, 510.0))
    write_bench(root, "train/2019-04-15/1.tsv", (13.0, 25.0, 600.0))
    write_bench(root, "load_day/smap/2019-04-14.tsv", (4.0, 3.0, 200.0))
    write_bench(root, "load_day/smap/2019-04-15.tsv", (6.0, 5.0, 250.0))
    write_bench(root, "fetch_gridded/smap/2019-04-14.tsv", (0.3, None, None))  # too fast to be sampled
    write_bench(root, "demo_inputs/2019-04-15.tsv", (2.0, 1.5, 100.0))
    write_bench(root, "mystery_rule/x.tsv", (1.0, 0.5, 50.0))
    return root


def test_collect_one_row_per_file_with_median_of_repeats(bench):
    df = timing.collect_under(bench).set_index(["rule", "job"])
    assert len(df) == 8
    assert df.loc[("train", "2019-04-15/0"), ["s", "cpu_time", "max_rss"]].tolist() == [11.0, 22.0, 510.0]
    assert df.loc[("load_day", "smap/2019-04-14"), "s"] == 4.0
    assert df.loc[("fetch_gridded", "smap/2019-04-14"), ["cpu_time", "max_rss"]].isna().all()


def test_collect_reads_the_files_it_is_given_and_no_other(bench):
    given = [bench / "train/2019-04-15/0.tsv", bench / "demo_inputs/2019-04-15.tsv"]
    df = timing.collect(given, benchmarks_dir=bench)
    assert sorted(df["rule"]) == ["demo_inputs", "train"]  # a stale file beside them is not read
    with pytest.raises(ValueError, match="no Snakemake benchmark files"):
        timing.collect([], benchmarks_dir=bench)


def test_summarise_sums_medians_and_order(bench):
    summary = timing.summarise(timing.collect_under(bench))
    assert summary["rule"].tolist() == [
        "demo_inputs",
        "fetch_gridded",
        "load_day",
        "train",
        "predict",
        "mystery_rule",
    ]
    assert summary["stage"].tolist() == ["demo", "load", "load", "train", "predict", "other"]
    train = summary.set_index("rule").loc["train"]
    assert train["jobs"] == 2
    assert (train["wall_s_sum"], train["wall_s_median"], train["wall_s_max"]) == (24.0, 12.0, 13.0)
    assert (train["cpu_s_sum"], train["max_rss_mb"]) == (47.0, 600.0)
    load = summary.set_index("rule").loc["load_day"]
    assert (load["jobs"], load["wall_s_sum"], load["wall_s_median"], load["max_rss_mb"]) == (2, 10.0, 5.0, 250.0)
    fetch = summary.set_index("rule").loc["fetch_gridded"]
    assert fetch["wall_s_sum"] == 0.3 and np.isnan(fetch["cpu_s_sum"]) and np.isnan(fetch["max_rss_mb"])
    total = 2.0 + 0.3 + 10.0 + 24.0 + 8.0 + 1.0
    assert summary["percent_wall"].sum() == pytest.approx(100.0)
    assert train["percent_wall"] == pytest.approx(100 * 24.0 / total)


def test_stage_mapping():
    assert [timing.stage_of(r) for r in ["fetch_gridded", "load_day", "smooth", "plots", "all"]] == [
        "load",
        "load",
        "smooth",
        "plots",
        "other",
    ]


def test_timing_report_writes_tsv_and_chart(bench, tmp_path):
    out = tmp_path / "report"
    files = sorted(bench.rglob("*.tsv"))
    summary = report.timing_report(
        benchmarks=files, benchmarks_dir=bench, tsv=out / "timing.tsv", png=out / "timing.png"
    )
    written = pd.read_csv(out / "timing.tsv", sep="\t")
    assert written.columns.tolist() == contracts.TIMING
    assert written["rule"].tolist() == summary["rule"].tolist()
    np.testing.assert_allclose(written["wall_s_sum"], summary["wall_s_sum"], atol=1e-3)
    assert_valid_png(out / "timing.png")
    assert sorted(p.name for p in out.iterdir()) == ["timing.png", "timing.tsv"]  # no temps left


@pytest.mark.parametrize("make", ["missing", "empty", "no_tsv"])
def test_no_benchmarks_is_a_clear_error(tmp_path, make):
    root = tmp_path / "benchmarks"
    if make != "missing":
        root.mkdir()
    if make == "no_tsv":
        (root / "notes.txt").write_text("nothing here\n")
    with pytest.raises(ValueError, match=str(root)):
        timing.collect_under(root)
    with pytest.raises(ValueError, match="no Snakemake benchmark files"):
        report.timing_report(benchmarks=[], benchmarks_dir=root, tsv=tmp_path / "t.tsv", png=tmp_path / "t.png")
    assert not (tmp_path / "t.tsv").exists()


def test_a_file_without_benchmark_columns_is_named(tmp_path):
    root = tmp_path / "benchmarks"
    (root / "train").mkdir(parents=True)
    (root / "train" / "0.tsv").write_text("a\tb\n1\t2\n")
    with pytest.raises(ValueError, match=r"train/0\.tsv.*missing columns"):
        timing.collect_under(root)
