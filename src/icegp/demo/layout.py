"""Where the demo writes its files: which sources are the demo's and the files of one day, named as
each product names its own (the readers find them by the same patterns as real files). Kept free of
the readers' imports: the Snakefile's parse reads these names."""

from __future__ import annotations

import os

from icegp.config import sources


def is_demo_file(config, path: str | None) -> bool:
    """A path (or path template) the demo generator writes: demo enabled and the path under demo.out."""
    demo = config["demo"]
    if not demo["enabled"] or not path:
        return False
    out = os.path.abspath(demo["out"])
    return os.path.commonpath([os.path.abspath(path), out]) == out


def is_demo_source(config, src: dict) -> bool:
    """A source whose files the demo generator writes."""
    return is_demo_file(config, src.get("path"))


def demo_beams(config) -> list[str]:
    """The beams the demo writes: those of its IS-2 sources (all three strong beams when it has none)."""
    return sorted({b for s in sources(config).values() if s["type"] == "is2sitdat4" for b in s["beams"]}) or [
        "bnum1",
        "bnum3",
        "bnum5",
    ]


def demo_files(config, day: str) -> dict:
    """Files demo_inputs writes for one day, by kind; `day` is ISO (YYYY-MM-DD), or the rule's
    wildcard `{ymd}`, which gives the rule's output patterns (one spelling of every name)."""
    out = config["demo"]["out"]
    ymd = day.replace("-", "")
    beams = demo_beams(config)
    return {
        # IS2SITDAT4_01_{YYYYMMDD}*{beam}*sm.nc is what sources.files.is2sitdat4_day_files globs for
        "is2": [os.path.join(out, "is2", ymd, f"IS2SITDAT4_01_{ymd}000000_demo_{b}_sm.nc") for b in beams],
        "smap": os.path.join(out, "smap", f"{ymd}_north_mix_sit_v300.nc"),  # Bremen's SMOS/SMAP v3.00
        "sic": os.path.join(out, "sic", f"seaice_conc_daily_nh_{ymd}_f17_v04r00.nc"),  # the CDR's v4
        "truth": os.path.join(out, "truth", f"{ymd}.nc"),
        "compare": os.path.join(out, "compare", f"{ymd}_other_thickness.nc"),
    }
