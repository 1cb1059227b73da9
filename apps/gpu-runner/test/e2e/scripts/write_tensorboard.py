"""A training script that logs as Keras' TensorBoard callback does (train/ and validation/ writers,
TF2 tensor scalars), one epoch each time the test lets it go on. Prints the MLflow env it was given."""

import os
import sys
import time

from tfevents_stdlib import EventFileWriter, event, tensor_scalar

for name in ("MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID", "MLFLOW_TRACKING_TOKEN"):
    print(f"env {name}={os.environ.get(name, '')!r}", flush=True)

gate = sys.argv[1]
logdir = os.path.join(os.getcwd(), "logs", "fit")
writers = {}
for split in ("train", "validation"):
    os.makedirs(os.path.join(logdir, split), exist_ok=True)
    writers[split] = EventFileWriter(os.path.join(logdir, split, "events.out.tfevents.1.e2e.1.0.v2"), time.time())

for epoch in range(3):
    deadline = time.time() + 60
    while not os.path.exists(f"{gate}.{epoch}"):
        if time.time() > deadline:
            sys.exit(f"no go for epoch {epoch}")
        time.sleep(0.05)
    for split, writer in writers.items():
        loss = 1.0 / (epoch + 1) + (0.05 if split == "validation" else 0.0)
        values = [tensor_scalar("epoch_loss", loss, epoch == 0), tensor_scalar("epoch_accuracy", 0.5 + 0.1 * epoch, epoch == 0)]
        writer.write(event(time.time(), step=epoch, summary_values=values))
    print(f"epoch {epoch} logged", flush=True)
