"""The Python client against a real tracker-api (LABTRACK_URL / LABTRACK_TOKEN)."""

import hashlib
import json
import os
import tempfile
import unittest
from unittest import mock

import labtrack_client as labtrack
from labtrack_client import LabtrackError
from labtrack_testing import PROJECT, FlakyProxy, client, series, unique_name


class RunLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.api = client()

    def test_creates_a_run_and_logs_non_finite_values_once_even_when_resent(self):
        run = self.api.start_run(PROJECT, name=unique_name("basic"), config={"lr": 1e-3, "opt": {"name": "adam"}}, tags=["py"])
        values = [0.5, float("nan"), float("inf"), float("-inf"), 2]
        for step, value in enumerate(values):
            run.log({"train/loss": value, "train/acc": step / 10}, step=step, epoch=step // 2)
        run.flush()
        for step, value in enumerate(values):  # the same points again: stored once
            run.log({"train/loss": value}, step=step)
        run.flush()
        info = run.finish(results={"test/accuracy": 0.91, "note": float("nan")})

        got = series(self.api, run.id, ["train/loss", "train/acc"])
        self.assertEqual(got["train/loss"]["steps"], [0, 1, 2, 3, 4])
        self.assertEqual(got["train/loss"]["values"], [0.5, "NaN", "Infinity", "-Infinity", 2])
        self.assertEqual(got["train/loss"]["epochs"], [0, 0, 1, 1, 2])
        self.assertEqual(got["train/loss"]["total"], 5)
        self.assertEqual(got["train/acc"]["total"], 5)
        self.assertEqual(info["status"], "succeeded")
        self.assertEqual(info["config"], {"lr": 1e-3, "opt.name": "adam"})
        self.assertEqual(info["tags"], ["py"])
        self.assertEqual(info["results"], {"test/accuracy": 0.91, "note": "NaN"})
        self.assertEqual(info["summary"]["train/loss"]["count"], 5)
        self.assertIs(run.finish(), info)  # finishing twice is a no-op

    def test_stops_a_canceled_run_at_the_next_log_and_leaves_it_canceled(self):
        run = self.api.start_run(PROJECT, name=unique_name("canceled"), flush_interval=60)
        with run:
            run.log({"train/loss": 1.0}, step=0)
            run.flush()
            self.api.call("runs.cancel", {"runId": run.id})
            run.log({"train/loss": 0.5}, step=1)
            run.flush()
            self.assertTrue(run.canceled)
            with self.assertRaises(labtrack.RunCanceled):
                run.log({"train/loss": 0.25}, step=2)
            run.log({"train/loss": 0.125}, step=3)
            self.fail("log after the cancel must raise")
        self.assertEqual(run.info["status"], "canceled")
        self.assertEqual(series(self.api, run.id, ["train/loss"])["train/loss"]["steps"], [0, 1])

    def test_splits_more_than_ten_thousand_points_across_calls(self):
        run = self.api.start_run(PROJECT, name=unique_name("big"), flush_interval=60)
        for step in range(8000):
            run.log({"a": step, "b": -step, "c": step * 0.5}, step=step)
        run.finish()
        self.assertEqual(run.stats["points_sent"], 24_000)
        self.assertEqual(run.stats["metric_calls"], 3)
        got = series(self.api, run.id, ["a", "b", "c"], max_points=10)
        self.assertEqual({key: s["total"] for key, s in got.items()}, {"a": 8000, "b": 8000, "c": 8000})

    def test_attaches_to_the_run_in_labtrack_run_id_and_leaves_its_status_to_the_runner(self):
        queued = self.api.start_run(PROJECT, name=unique_name("runner-run"))
        env = {"LABTRACK_RUN_ID": queued.id, "LABTRACK_URL": self.api.url, "LABTRACK_TOKEN": self.api.token}
        with mock.patch.dict(os.environ, env):
            run = labtrack.init(project="ignored-when-attached")
        self.assertEqual(run.id, queued.id)
        self.assertFalse(run.owns_status)
        run.log({"val/accuracy": 0.75}, step=1)
        run.log_text("epoch 1 done\nsecond line")
        info = run.finish(results={"backend": "cpu"})
        self.assertEqual(info["status"], "running")
        self.assertEqual(info["results"], {"backend": "cpu"})
        self.assertEqual(series(self.api, run.id, ["val/accuracy"])["val/accuracy"]["values"], [0.75])
        lines = self.api.call("logs.tail", {"runId": run.id}, query=True)["lines"]
        self.assertEqual([(line["stream"], line["text"]) for line in lines], [("stdout", "epoch 1 done"), ("stdout", "second line")])
        queued.finish()

    def test_uploads_a_file_and_downloads_the_same_bytes(self):
        run = self.api.start_run(PROJECT, name=unique_name("artifact"))
        data = os.urandom(3 * 1024 * 1024 + 17)
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "weights.bin")
            with open(source, "wb") as out:
                out.write(data)
            artifact = run.upload(source, name="ckpt/epoch 3.bin", kind="checkpoint")
            self.assertEqual(artifact["path"], "ckpt/epoch 3.bin")
            self.assertEqual(artifact["kind"], "checkpoint")
            self.assertEqual(artifact["size"], len(data))
            self.assertEqual(artifact["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(run.download("ckpt/epoch 3.bin"), data)
            copy = run.download("ckpt/epoch 3.bin", dest=os.path.join(tmp, "copy.bin"))
            with open(copy, "rb") as handle:
                self.assertEqual(handle.read(), data)
        with self.assertRaises(LabtrackError) as missing:
            run.download("nope.bin")
        self.assertEqual(missing.exception.http_status, 404)
        run.finish()

    def test_bad_input_raises_labtrack_error_naming_the_field(self):
        with self.assertRaises(LabtrackError) as bad_project:
            self.api.start_run("Not A Slug")
        self.assertIn("project", str(bad_project.exception))
        self.assertEqual(bad_project.exception.http_status, 400)
        self.assertEqual(bad_project.exception.code, "BAD_REQUEST")
        self.assertEqual(bad_project.exception.fields[0]["path"], ["project"])

        run = self.api.start_run(PROJECT, name=unique_name("bad"))
        with self.assertRaises(LabtrackError) as bad_step:
            self.api.call("metrics.log", {"runId": run.id, "points": [{"key": "x", "step": -1, "value": 1}]})
        self.assertIn("points.0.step", str(bad_step.exception))
        with self.assertRaisesRegex(LabtrackError, "metric key 'has space'"):
            run.log({"has space": 1.0}, step=0)
        with self.assertRaisesRegex(LabtrackError, "step must be a non-negative integer"):
            run.log({"x": 1.0}, step=1.5)
        with self.assertRaisesRegex(LabtrackError, "'abc' is not a number"):
            run.log({"x": "abc"}, step=0)
        with self.assertRaisesRegex(LabtrackError, "kind must be one of"):
            run.upload(__file__, kind="weights")
        with self.assertRaisesRegex(LabtrackError, "runId"):
            self.api.attach("not-a-uuid")
        run.finish()

    def test_context_manager_finishes_failed_with_the_traceback(self):
        with self.assertRaisesRegex(ValueError, "loss exploded"):
            with self.api.start_run(PROJECT, name=unique_name("crash")) as run:
                run.log({"train/loss": float("nan")}, step=0)
                raise ValueError("loss exploded")
        info = self.api.call("runs.get", {"runId": run.id}, query=True)
        self.assertEqual(info["status"], "failed")
        self.assertIn("Traceback (most recent call last)", info["error"])
        self.assertIn("ValueError: loss exploded", info["error"])
        self.assertEqual(series(self.api, run.id, ["train/loss"])["train/loss"]["values"], ["NaN"])

    def test_retries_dropped_and_refused_batches_without_doubling_points(self):
        proxy = FlakyProxy(self.api.url, ["drop", "drop-after", "503"])
        try:
            api = client(url=proxy.url)
            run = api.start_run(PROJECT, name=unique_name("flaky"), flush_interval=60)
            for step in range(10):
                run.log({"loss": 1 / (step + 1)}, step=step)
            run.finish()
        finally:
            proxy.close()
        self.assertEqual(proxy.seen, ["drop", "drop-after", "503", "forward"])
        got = series(self.api, run.id, ["loss"])["loss"]
        self.assertEqual(got["steps"], list(range(10)))
        self.assertEqual(self.api.call("runs.get", {"runId": run.id}, query=True)["summary"]["loss"]["count"], 10)

    def test_spools_a_batch_with_its_attempt_and_replays_it_as_that_attempt(self):
        run = self.api.start_run(PROJECT, name=unique_name("spooled-attempt"))
        self.assertEqual(run.attempt, 1)
        with tempfile.TemporaryDirectory() as spool_dir, mock.patch.dict(os.environ, {"LABTRACK_SPOOL_DIR": spool_dir}):
            offline = labtrack.Run(client(url="http://127.0.0.1:9", retry_timeout=0.2), run.id, owns_status=False, info={"attempt": 1})
            offline.log({"loss": 0.5}, step=0)
            offline.flush()
            with open(offline.spool_file, encoding="utf-8") as spool:
                self.assertEqual([json.loads(line)["attempt"] for line in spool], [1])
            again = self.api.attach(run.id)
            again.flush()
        self.assertEqual(series(self.api, run.id, ["loss"])["loss"]["steps"], [0])
        run.finish()

    def test_stores_log_lines_once_when_the_answer_to_them_is_lost(self):
        proxy = FlakyProxy(self.api.url, ["drop-after"], procedure="logs.append")
        try:
            api = client(url=proxy.url)
            run = api.start_run(PROJECT, name=unique_name("lost-log-answer"), flush_interval=60)
            run.log_text("Epoch 1/2\nloss: 0.4")
            run.finish()
        finally:
            proxy.close()
        self.assertEqual(proxy.seen, ["drop-after", "forward"])
        tail = self.api.call("logs.tail", {"runId": run.id, "limit": 100}, query=True)
        self.assertEqual([line["text"] for line in tail["lines"]], ["Epoch 1/2", "loss: 0.4"])

    def test_unreachable_server_gives_up_with_labtrack_error(self):
        api = client(url="http://127.0.0.1:9", retry_timeout=0.2)
        with self.assertRaisesRegex(LabtrackError, "cannot reach"):
            api.start_run(PROJECT)


if __name__ == "__main__":
    unittest.main()
