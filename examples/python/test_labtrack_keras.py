"""The Keras callback driven by a fake two-phase training loop, and the `@labtrack` report line."""

import io
import json
import math
import re
import unittest

from labtrack_client import LabtrackError, report_line
from labtrack_keras import LabtrackKerasCallback, keras_metric_key
from labtrack_testing import PROJECT, client, series, unique_name


class FakeScalar:
    """Like a numpy float32 or a 0-d tensor: not a float, but convertible with float()."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        return float(self.value)


def fake_fit(callback, initial_epoch, epochs, batches=4):
    """Calls the callback the way keras.Model.fit does (epoch indices continue after initial_epoch)."""
    callback.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        callback.on_epoch_begin(epoch)
        for batch in range(batches):
            callback.on_train_batch_end(batch, {"loss": 1.0 / (epoch * batches + batch + 1), "accuracy": 0.5})
        logs = {
            "loss": FakeScalar(1.0 / (epoch + 1)),
            "accuracy": 0.5 + epoch * 0.1,
            "precision": 0.6,
            "recall": 0.55,
            "val_loss": [0.9, 0.7, 0.8, 0.5, float("nan")][epoch],
            "val_accuracy": [0.5, 0.6, 0.58, 0.7, 0.69][epoch],
            "learning_rate": 1e-3 if epoch < 3 else 1e-5,
            "note": "not a number",
        }
        callback.on_epoch_end(epoch, logs)
    callback.on_train_end({})


class KerasCallbackTest(unittest.TestCase):
    def test_maps_keras_names(self):
        self.assertEqual(keras_metric_key("val_accuracy"), "val/accuracy")
        self.assertEqual(keras_metric_key("loss"), "train/loss")
        self.assertEqual(keras_metric_key("lr"), "lr")
        self.assertEqual(keras_metric_key("learning_rate"), "lr")

    def test_logs_every_epoch_of_a_two_phase_fit_and_sets_results(self):
        api = client()
        run = api.start_run(PROJECT, name=unique_name("keras"), config={"base": "MobileNetV2"})
        callback = LabtrackKerasCallback(run, batch_every=2)
        fake_fit(callback, initial_epoch=0, epochs=3)  # phase 1: frozen base
        fake_fit(callback, initial_epoch=3, epochs=5)  # phase 2: fine-tuning
        info = run.finish()

        keys = ["train/loss", "train/accuracy", "train/precision", "train/recall", "val/loss", "val/accuracy", "lr"]
        got = series(api, run.id, keys + ["batch/loss", "batch/accuracy", "train/note"])
        for key in keys:
            self.assertEqual(got[key]["steps"], [0, 1, 2, 3, 4], key)
            self.assertEqual(got[key]["epochs"], [0, 1, 2, 3, 4], key)
        self.assertEqual(got["train/note"]["total"], 0)  # not a number: skipped
        self.assertEqual(got["train/loss"]["values"], [1.0, 0.5, 1 / 3, 0.25, 0.2])
        self.assertEqual(got["val/loss"]["values"][-1], "NaN")
        self.assertEqual(got["lr"]["values"], [1e-3, 1e-3, 1e-3, 1e-5, 1e-5])
        self.assertEqual(got["batch/loss"]["steps"], [2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
        self.assertEqual(got["batch/accuracy"]["total"], 10)

        results = info["results"]
        self.assertEqual(results["epochs"], 5)
        self.assertEqual(results["last/val/accuracy"], 0.69)
        self.assertEqual(results["last/val/loss"], "NaN")
        self.assertEqual(results["best/val/accuracy"], 0.7)
        self.assertEqual(results["best/val/accuracy/epoch"], 3)
        self.assertEqual(results["best/val/loss"], 0.5)


# The grammar of packages/core/src/report-line.ts, JSON form.
REPORT_FIELDS = ["step", "epoch", "metrics", "results", "artifact"]
METRIC_KEY = re.compile(r"^[^\s\0]{1,256}$")


def parse_report_line(line):
    """Mirror of parseReportLine for the JSON form; raises ValueError where it would throw."""
    if not line.startswith("@labtrack "):
        return None
    data = json.loads(line[len("@labtrack ") :])
    if not isinstance(data, dict) or any(key not in REPORT_FIELDS for key in data):
        raise ValueError(f"bad report fields {list(data)}")
    for counter in ("step", "epoch"):
        if counter in data and (type(data[counter]) is not int or data[counter] < 0):
            raise ValueError(f"{counter} must be a non-negative integer")
    metrics = {}
    for key, value in data.get("metrics", {}).items():
        if not METRIC_KEY.match(key):
            raise ValueError(f"bad metric key {key!r}")
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            value = float(value)
        elif type(value) not in (int, float):
            raise ValueError(f"metric {key} is not a number")
        metrics[key] = value
    return dict(data, metrics=metrics)


class ReportLineTest(unittest.TestCase):
    def test_prints_one_parseable_json_line(self):
        out = io.StringIO()
        line = report_line(
            {"train/loss": 0.25, "val/loss": float("nan"), "grad/max": float("inf")},
            step=3,
            epoch=1,
            results={"best": float("-inf")},
            artifact={"path": "plots/roc.png", "kind": "plot"},
            file=out,
        )
        self.assertEqual(out.getvalue(), line + "\n")
        self.assertNotIn("\n", line)
        self.assertEqual(
            line,
            '@labtrack {"step":3,"epoch":1,"metrics":{"train/loss":0.25,"val/loss":"NaN","grad/max":"Infinity"},'
            '"results":{"best":"-Infinity"},"artifact":{"path":"plots/roc.png","kind":"plot"}}',
        )
        parsed = parse_report_line(line)
        self.assertEqual(list(parsed), ["step", "epoch", "metrics", "results", "artifact"])
        self.assertEqual(parsed["metrics"]["train/loss"], 0.25)
        self.assertTrue(math.isnan(parsed["metrics"]["val/loss"]))
        self.assertEqual(parsed["metrics"]["grad/max"], math.inf)

    def test_only_metrics_and_no_empty_fields(self):
        out = io.StringIO()
        self.assertEqual(report_line({"acc": 1}, file=out), '@labtrack {"metrics":{"acc":1}}')
        self.assertEqual(parse_report_line(out.getvalue().rstrip("\n"))["metrics"], {"acc": 1})

    def test_refuses_what_the_runner_would_refuse(self):
        sink = io.StringIO()
        with self.assertRaisesRegex(LabtrackError, "metric key"):
            report_line({"two words": 1}, step=0, file=sink)
        with self.assertRaisesRegex(LabtrackError, "step must be a non-negative integer"):
            report_line({"x": 1}, step=-1, file=sink)
        with self.assertRaisesRegex(LabtrackError, "artifact needs"):
            report_line(artifact={"path": "a.bin", "kind": "weights"}, file=sink)
        self.assertEqual(sink.getvalue(), "")


if __name__ == "__main__":
    unittest.main()
