"""Write one day of the synthetic Arctic in the real input formats."""
from icegp import demo, jobs

log = jobs.setup_logging(snakemake)
demo.write_day(snakemake.wildcards.ymd, snakemake.params.demo, snakemake.params.beams,
               snakemake.params.crs, snakemake.params.grid, snakemake.output)
log.info("wrote %s", list(snakemake.output))
