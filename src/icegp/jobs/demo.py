"""Jobs of workflow/rules/demo.smk: the synthetic Arctic's ocean mask, its daily input files and its
region mask."""

from __future__ import annotations

import logging

from icegp.demo import inputs, synthetic

log = logging.getLogger(__name__)


def demo_ocean_mask(*, output: str) -> None:
    mask = synthetic.OceanMask.build()
    mask.save(output)
    log.info("ocean cells: %d of %d", mask.ocean.sum(), mask.ocean.size)


def demo_inputs(*, ymd: str, ocean: str, outputs, demo_config: dict, beams: list, crs: str, grid: dict) -> None:
    """One day's demo files in the real formats (IS-2, SMOS/SMAP, SIC) and its truth."""
    inputs.write_day(ymd, demo_config, beams, crs, grid, synthetic.OceanMask.load(ocean), outputs)
    log.info("wrote %s", list(outputs))


def demo_regions(*, ocean: str, output: str) -> None:
    """The demo's region mask in the NSIDC-0780 layout."""
    inputs.write_regions(output, synthetic.OceanMask.load(ocean))
    log.info("wrote %s", output)
