"""A training script that logs as Keras' CSVLogger does, one epoch each time the test lets it go on."""

import os
import sys
import time

gate = sys.argv[1]
os.makedirs("logs", exist_ok=True)
with open(os.path.join("logs", "history.csv"), "w") as log:
    log.write("epoch,loss,val_loss\n")
    log.flush()
    for epoch in range(3):
        deadline = time.time() + 60
        while not os.path.exists(f"{gate}.{epoch}"):
            if time.time() > deadline:
                sys.exit(f"no go for epoch {epoch}")
            time.sleep(0.05)
        val_loss = float("nan") if epoch == 1 else 0.5 / (epoch + 1)
        log.write(f"{epoch},{1.0 / (epoch + 1)},{val_loss}\n")
        log.flush()
        print(f"epoch {epoch} logged", flush=True)
