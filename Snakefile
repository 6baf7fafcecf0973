# icegp: local-expert GP interpolation of sea-ice altimetry as a Snakemake workflow.
# The DAG, file contracts and config are described in docs/design.md and config/README.md.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/config.smk"
include: "workflow/rules/runs.smk"
include: "workflow/rules/inputs.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/load.smk"
include: "workflow/rules/grids.smk"
include: "workflow/rules/gp.smk"
include: "workflow/rules/product.smk"
include: "workflow/rules/chunks.smk"
include: "workflow/rules/season.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
    localrule: True
