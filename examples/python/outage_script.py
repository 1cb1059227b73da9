"""A training loop logging 20,000 points while the test stops the database under it (no exception may escape)."""

import sys
import time

import labtrack_client as labtrack

run = labtrack.init(project="outage", name="python-outage")
print(f"run={run.id}", flush=True)
for step in range(5_000):
    run.log({"a": step, "b": step * 2, "c": step * 3, "d": step * 4}, step=step)
    time.sleep(0.004)
run.finish()
print(f"done spooled={run.stats.get('spooled_batches', 0)}", flush=True)
sys.exit(0)
