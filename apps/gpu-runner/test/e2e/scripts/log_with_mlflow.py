"""What `mlflow.start_run(); mlflow.log_params(); mlflow.log_metric(); mlflow.end_run()` send when the
runner has set MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN and MLFLOW_RUN_ID (the mlflow package itself
cannot be installed here): the same REST calls, made with the standard library."""

import json
import os
import time
import urllib.request

BASE = os.environ["MLFLOW_TRACKING_URI"].rstrip("/") + "/api/2.0/mlflow/"
HEADERS = {"Authorization": "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"], "Content-Type": "application/json"}
RUN_ID = os.environ["MLFLOW_RUN_ID"]


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, headers=HEADERS, method=method)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


run = call("GET", "runs/get?run_id=" + RUN_ID)["run"]
assert run["info"]["experiment_id"] == os.environ["MLFLOW_EXPERIMENT_ID"], run["info"]
print("attached to", run["info"]["run_id"], flush=True)
now = int(time.time() * 1000)
call("POST", "runs/log-batch", {"run_id": RUN_ID, "params": [{"key": "lr", "value": "0.001"}], "metrics": [], "tags": []})
for step, loss in enumerate([0.9, 0.5, 0.25]):
    call("POST", "runs/log-metric", {"run_id": RUN_ID, "key": "loss", "value": loss, "timestamp": now + step, "step": step})
call("POST", "runs/update", {"run_id": RUN_ID, "status": "FINISHED", "end_time": now + 10})
print("logged through MLflow", flush=True)
