# Toy "prediction": scales the sum of the shard values.
import sys

sys.stderr = open(snakemake.log[0], "w")
total = sum(float(open(f).read()) for f in snakemake.input)
with open(snakemake.output[0], "w") as fh:
    fh.write(f"{total * float(snakemake.params.scale)}\n")
