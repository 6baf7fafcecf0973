# The synthetic Arctic: one job per data day ({ymd} = YYYYMMDD) writes that day's files in the real
# input formats (IS2SITDAT4 per beam, Bremen SMOS/SMAP, SIC), the truth on the product grid and another
# product to compare with.
DEMO_OUT = config["demo"]["out"]


rule demo_ocean_mask:
    output:
        f"{DEMO_OUT}/ocean_mask_12500m.npy",
    log:
        plan.log("demo_ocean_mask"),
    benchmark:
        plan.benchmark("demo_ocean_mask")
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=10,
    message:
        "demo_ocean_mask: the synthetic Arctic's ocean mask"
    script:
        "../scripts/demo_ocean_mask.py"


rule demo_inputs:
    input:
        ocean=rules.demo_ocean_mask.output[0],
    output:
        # the names the rest of the DAG asks for (demo.layout.demo_files), with the day as {ymd}
        **layout.demo_files(config, "{ymd}"),
    log:
        plan.log("demo_inputs", "{ymd}"),
    benchmark:
        plan.benchmark("demo_inputs", "{ymd}")
    wildcard_constraints:
        ymd=r"\d{8}",
    conda:
        CONDA_ENV
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        demo=config["demo"],
        beams=layout.demo_beams(config),
        crs=config["crs"],
        grid=DEMO_GRID,
    message:
        "demo_inputs: the synthetic input files of {wildcards.ymd}"
    script:
        "../scripts/demo_inputs.py"


if layout.is_demo_file(config, config["monthly"]["regions"]):

    rule demo_regions:
        input:
            ocean=rules.demo_ocean_mask.output[0],
        output:
            config["monthly"]["regions"],
        log:
            plan.log("demo_regions"),
        benchmark:
            plan.benchmark("demo_regions")
        conda:
            CONDA_ENV
        resources:
            mem_mb=1000,
            runtime=5,
        message:
            "demo_regions: the demo's region mask in the NSIDC-0780 layout"
        script:
            "../scripts/demo_regions.py"
