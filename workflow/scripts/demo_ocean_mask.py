"""The demo's land mask on the 12.5 km polar-stereographic grid, built once for every demo day."""

from icegp import jobs, synthetic

log = jobs.setup_logging(snakemake)
mask = synthetic.OceanMask.build()
mask.save(snakemake.output[0])
log.info("ocean cells: %d of %d", mask.ocean.sum(), mask.ocean.size)
