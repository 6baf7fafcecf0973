"""Write one day of the synthetic Arctic in the real input formats."""

from icegp import demo, jobs, synthetic

log = jobs.setup_logging(snakemake)
demo.write_day(
    snakemake.wildcards.ymd,
    snakemake.params.demo,
    snakemake.params.beams,
    snakemake.params.crs,
    snakemake.params.grid,
    synthetic.OceanMask.load(snakemake.input.ocean),
    snakemake.output,
)
log.info("wrote %s", list(snakemake.output))
