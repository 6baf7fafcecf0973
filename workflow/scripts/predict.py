"""Predict one shard of experts at the prediction locations with fixed (smoothed) hyperparameters."""
import pandas as pd

from icegp import device, jobs

log = jobs.setup_logging(snakemake)
p = snakemake.params
use_gpu = device.wants_gpu(p.training["device"], snakemake.resources.get("gpu", 0))
from icegp.gp.engines import make_engine, needs_tensorflow  # noqa: E402  (after the device is set)

log.info("device: %s", device.configure(p.training["device"], snakemake.threads, snakemake.resources.get("gpu", 0),
                                        need_tf=needs_tensorflow(p.training, use_gpu)))
from icegp import experts, prediction  # noqa: E402
from icegp.io.atomic import write_parquet  # noqa: E402

target = snakemake.wildcards.target
all_experts = pd.read_parquet(snakemake.input.experts)
mine = all_experts[all_experts["shard"] == int(snakemake.wildcards.shard)]
hyp = prediction.read_hyperparameters(snakemake.input.hyperparameters, p.crs, target)
table, status = prediction.predict_shard(
    pd.read_parquet(snakemake.input.obs), mine, hyp, pd.read_parquet(snakemake.input.locations),
    make_engine(p.training, use_gpu), p.training["training_radius"], experts.time_half_width(p.num_days),
    p.prediction["radius"])
write_parquet(table, snakemake.output[0], {"target": target, "status": status})
log.info("shard %s: %s, %d predictions", snakemake.wildcards.shard, status, len(table))
