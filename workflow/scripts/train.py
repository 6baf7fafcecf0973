"""Fit one shard of experts (resuming from its checkpoint if a previous attempt was killed)."""
from icegp import device, jobs

log = jobs.setup_logging(snakemake)
training = snakemake.params.training
use_gpu = device.wants_gpu(training["device"], snakemake.resources.get("gpu", 0))
from icegp.gp.engines import make_engine, needs_tensorflow  # noqa: E402  (after the device is set)

log.info("device: %s", device.configure(training["device"], snakemake.threads, snakemake.resources.get("gpu", 0),
                                        need_tf=needs_tensorflow(training, use_gpu)))
from icegp import training as tr  # noqa: E402

out = snakemake.output[0]
tr.train_shard(snakemake.input.obs, snakemake.input.experts, int(snakemake.wildcards.shard), training,
               snakemake.params.num_days, snakemake.params.min_obs, make_engine(training, use_gpu), out,
               tr.checkpoint_path_for(out))
