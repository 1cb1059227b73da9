"""Labtrack client for Python scripts, standard library only (Python 3.8+).

Copy this one file next to a training script, or put examples/python on PYTHONPATH.

    import labtrack_client as labtrack

    with labtrack.init(project="flowers", config={"lr": 1e-3}) as run:
        for step in range(100):
            run.log({"train/loss": loss}, step=step)
        run.upload("model.keras", kind="model")
        run.set_results({"test/accuracy": 0.93})

`init` attaches to the run in LABTRACK_RUN_ID when a Labtrack runner started the script (the
runner then owns the run's status: it ends the run from the exit code), and creates a run
otherwise. Metrics are buffered and sent in batches by a background thread; points are idempotent
on (run, key, step), so a batch is re-sent after a connection error without doubling anything.
Without the API, `report_line` prints the `@labtrack {json}` stdout line a runner turns into metrics.
"""

import atexit
import http.client
import json
import math
import os
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["Labtrack", "LabtrackError", "Run", "RunCanceled", "init", "report_line", "to_wire_number"]

METRICS_BATCH_MAX_POINTS = 10_000
LOG_BATCH_MAX_LINES = 10_000
LOG_LINE_MAX_CHARS = 64 * 1024
ARTIFACT_KINDS = ("checkpoint", "model", "dataset", "plot", "file")
REPORT_LINE_PREFIX = "@labtrack "
# 503 is what the API answers while its database is unreachable (with Retry-After).
_RETRY_STATUSES = (408, 429, 502, 503, 504)
# A 500 is a server bug that may go away: a few tries, then it counts as a refusal.
_SERVER_ERROR_TRIES = 5


class LabtrackError(Exception):
    """The server refused a request (message names the bad field), or it stayed unreachable."""

    def __init__(self, message, code=None, http_status=None, fields=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.fields = fields or []


class RunCanceled(LabtrackError):
    """The run was canceled (from the dashboard or the API): raised by `log` so training stops.

    Inside `with labtrack.init(...) as run:` it ends the block quietly and the run stays canceled.
    """


def to_wire_number(value):
    """A metric value as JSON can carry it: non-finite floats become "NaN" / "Infinity" / "-Infinity"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy scalars, 0-d tensors
        except (TypeError, ValueError):
            raise LabtrackError(f"value {value!r} is not a number") from None
    if isinstance(value, int):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _json_safe(value):
    """Config and results as strict JSON: non-finite floats become their names."""
    if isinstance(value, float) and not math.isfinite(value):
        return to_wire_number(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _check_metric_key(key):
    if not isinstance(key, str) or key == "" or len(key) > 256 or "\0" in key or any(c.isspace() for c in key):
        raise LabtrackError(f"metric key {key!r} must be 1-256 characters without whitespace or NUL")


def _check_counter(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LabtrackError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def report_line(metrics=None, step=None, epoch=None, results=None, artifact=None, file=None):
    """Prints (and returns) one `@labtrack {json}` line, the report a Labtrack runner parses from stdout.

    Fields in the order packages/core formatReportLine writes them: step, epoch, metrics, results,
    artifact ({"path": ..., "kind": ...}). Non-finite metric values are written as their names.
    """
    out = {}
    if step is not None:
        out["step"] = _check_counter("step", step)
    if epoch is not None:
        out["epoch"] = _check_counter("epoch", epoch)
    if metrics:
        for key in metrics:
            _check_metric_key(key)
        out["metrics"] = {key: to_wire_number(value) for key, value in metrics.items()}
    if results is not None:
        out["results"] = _json_safe(results)
    if artifact is not None:
        kind = artifact.get("kind", "file")
        if not artifact.get("path") or kind not in ARTIFACT_KINDS:
            raise LabtrackError(f"artifact needs a path and a kind in {', '.join(ARTIFACT_KINDS)}")
        out["artifact"] = {"path": artifact["path"], "kind": kind}
    line = REPORT_LINE_PREFIX + json.dumps(out, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    print(line, file=file or sys.stdout, flush=True)
    return line


def _error_from_body(status, raw, what):
    try:
        error = json.loads(raw.decode("utf-8")).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    data = error.get("data") or {}
    message = error.get("message") or raw.decode("utf-8", "replace")[:500] or f"HTTP {status}"
    code = data.get("code") or error.get("code")
    return LabtrackError(f"{what}: {message}", code=code, http_status=status, fields=data.get("fields"))


def _is_transient(error):
    if isinstance(error, urllib.error.HTTPError):
        return error.code in _RETRY_STATUSES
    return isinstance(error, (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError))


def _is_outage(error):
    """The server could not be reached or its database is down: keep the data and try later."""
    return error.http_status is None or error.http_status in _RETRY_STATUSES


class Labtrack:
    """Connection to a tracker-api. url/token default to LABTRACK_URL / LABTRACK_TOKEN."""

    def __init__(self, url=None, token=None, timeout=30.0, retry_timeout=600.0, retry_base_delay=0.5):
        self.url = (url or os.environ.get("LABTRACK_URL") or "http://127.0.0.1:8420").rstrip("/")
        self.token = token if token is not None else os.environ.get("LABTRACK_TOKEN")
        self.timeout = timeout
        self.retry_timeout = retry_timeout
        self.retry_base_delay = retry_base_delay

    # -- HTTP ---------------------------------------------------------------------------------
    def _headers(self, extra=None):
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def _send(self, request, what, retry):
        """Sends with exponential backoff on connection errors, 408/429/502/503/504 and (a few
        times) 500 when `retry`, for at most `retry_timeout` seconds."""
        deadline = time.monotonic() + self.retry_timeout
        delay = self.retry_base_delay
        server_errors = 0
        while True:
            try:
                with urllib.request.urlopen(request(), timeout=self.timeout) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                server_errors = server_errors + 1 if error.code == 500 else 0
                retry_this = _is_transient(error) or 0 < server_errors < _SERVER_ERROR_TRIES
                if not (retry and retry_this and time.monotonic() < deadline):
                    raise _error_from_body(error.code, error.read(), what) from None
            except Exception as error:  # noqa: BLE001 - classified below
                if not _is_transient(error):
                    raise
                if not (retry and time.monotonic() < deadline):
                    raise LabtrackError(f"{what}: cannot reach {self.url}: {error}") from error
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def call(self, procedure, payload, query=False, retry=False):
        """Calls a tRPC procedure and returns its `result.data`."""
        body = json.dumps(_json_safe(payload), allow_nan=False).encode("utf-8")
        if query:
            url = f"{self.url}/trpc/{procedure}?input={urllib.parse.quote(body.decode('utf-8'))}"

            def request():
                return urllib.request.Request(url, headers=self._headers(), method="GET")
        else:

            def request():
                headers = self._headers({"content-type": "application/json"})
                return urllib.request.Request(f"{self.url}/trpc/{procedure}", body, headers, method="POST")

        _, raw = self._send(request, procedure, retry or query)
        return json.loads(raw.decode("utf-8"))["result"].get("data")

    def artifact_url(self, run_id, path):
        quoted = "/".join(urllib.parse.quote(part, safe="") for part in path.split("/"))
        return f"{self.url}/api/artifacts/{run_id}/{quoted}"

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, project, name=None, config=None, tags=None, group=None, notes=None, **options):
        payload = {"project": project, "config": config or {}, "tags": list(tags or [])}
        for field, value in (("name", name), ("group", group), ("notes", notes)):
            if value is not None:
                payload[field] = value
        data = self.call("runs.create", payload)
        return Run(self, data["id"], owns_status=True, info=data, **options)

    def attach(self, run_id, owns_status=False, **options):
        """A run that already exists (queued on a runner: the runner owns its status)."""
        data = self.call("runs.get", {"runId": run_id}, query=True)
        return Run(self, run_id, owns_status=owns_status, info=data, **options)


def init(project, name=None, config=None, tags=None, group=None, url=None, token=None, **options):
    """Attaches to LABTRACK_RUN_ID when a runner started this script, else creates a run."""
    client = Labtrack(url=url, token=token)
    run_id = os.environ.get("LABTRACK_RUN_ID")
    if run_id:
        return client.attach(run_id, **options)
    return client.start_run(project, name=name, config=config, tags=tags, group=group, **options)


_open_runs = set()


@atexit.register
def _flush_open_runs():
    for run in list(_open_runs):
        try:
            run.flush()
        except Exception as error:  # noqa: BLE001 - best effort at exit
            print(f"labtrack: could not flush run {run.id}: {error}", file=sys.stderr)


class Run:
    """One run: buffered metric and log sending, artifacts, results, finish."""

    def __init__(self, client, run_id, owns_status, info=None, flush_interval=2.0, batch_size=METRICS_BATCH_MAX_POINTS):
        self.client = client
        self.id = run_id
        self.info = info or {}
        self.owns_status = owns_status
        self.flush_interval = flush_interval
        self.batch_size = max(1, min(batch_size, METRICS_BATCH_MAX_POINTS))
        self.stats = {"metric_calls": 0, "points_sent": 0, "log_calls": 0}
        # The run's attempt this process logs for; sent with each batch (and kept in the spool), so
        # points replayed after a later attempt started never replace that attempt's.
        self.attempt = self.info.get("attempt")
        self.finished = False
        self.canceled = False
        self._points = []
        self._lines = []
        self._error = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        self._closing = False
        self._thread = threading.Thread(target=self._flush_loop, name=f"labtrack-{run_id[:8]}", daemon=True)
        self._thread.start()
        _open_runs.add(self)

    def __repr__(self):
        return f"Run(id={self.id!r}, owns_status={self.owns_status})"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, RunCanceled):
            self.finish()
            return True
        if exc_type is None:
            self.finish("succeeded")
        else:
            self.finish("failed", error="".join(traceback.format_exception(exc_type, exc, tb))[-100_000:])
        return False

    # -- logging ------------------------------------------------------------------------------
    def log(self, metrics, step, epoch=None, time_ms=None):
        """Buffers {key: number} at `step`; NaN and ±inf are kept (sent as their names).

        Raises RunCanceled once the server has said the run was canceled.
        """
        self._raise_pending()
        if self.canceled:
            raise RunCanceled(f"run {self.id} was canceled")
        _check_counter("step", step)
        if epoch is not None:
            _check_counter("epoch", epoch)
        now = int(time.time() * 1000) if time_ms is None else time_ms
        points = []
        for key, value in metrics.items():
            _check_metric_key(key)
            point = {"key": key, "step": step, "value": to_wire_number(value), "time": now}
            if epoch is not None:
                point["epoch"] = epoch
            points.append(point)
        with self._lock:
            self._points.extend(points)
            if len(self._points) >= self.batch_size:
                self._wake.notify()

    def log_text(self, text, stream="stdout"):
        """Buffers log text; each line of it becomes one log line of the run."""
        if stream not in ("stdout", "stderr", "system"):
            raise LabtrackError(f"stream must be stdout, stderr or system, got {stream!r}")
        lines = []
        for line in str(text).rstrip("\n").split("\n"):
            for start in range(0, max(len(line), 1), LOG_LINE_MAX_CHARS):
                lines.append({"stream": stream, "text": line[start : start + LOG_LINE_MAX_CHARS]})
        with self._lock:
            self._lines.extend(lines)

    def flush(self):
        """Sends everything buffered now (and what an outage left in the spool).

        A batch leaves memory only once the server has it. When the server cannot be reached for
        `retry_timeout` seconds (or answers 503: its database is down), the batch goes to the spool
        file on disk and is sent again by the next flush: an outage never raises into the training
        loop. A batch the server refuses (4xx) is dropped and the LabtrackError raised (here or at
        the next `log`).
        """
        with self._send_lock:
            self._replay_spool()
            while True:
                with self._lock:
                    points = self._points[: self.batch_size]
                    lines = self._lines[:LOG_BATCH_MAX_LINES]
                if not points and not lines:
                    break
                # One key per batch of lines, kept through retries and the spool: a batch sent again
                # after a lost answer is recognised by the server and stored once.
                batch_id = uuid.uuid4().hex if lines else None
                try:
                    self._send_batch(points, lines, self.attempt, batch_id)
                except LabtrackError as error:
                    if not _is_outage(error):
                        self._drop(len(points), len(lines))
                        raise
                    self._spool_append(points, lines, batch_id)
                self._drop(len(points), len(lines))
        self._raise_pending()

    def _drop(self, n_points, n_lines):
        with self._lock:
            del self._points[:n_points]
            del self._lines[:n_lines]

    def _send_batch(self, points, lines, attempt=None, batch_id=None):
        if points:
            payload = {"runId": self.id, "points": points}
            if attempt is not None:
                payload["attempt"] = attempt
            answer = self.client.call("metrics.log", payload, retry=True)
            self._note_status(answer)
            self.stats["metric_calls"] += 1
            self.stats["points_sent"] += len(points)
        if lines:
            payload = {"runId": self.id, "lines": lines}
            if batch_id:
                payload["batchId"] = batch_id
            self._note_status(self.client.call("logs.append", payload, retry=True))
            self.stats["log_calls"] += 1

    # -- disk spool (outages) -----------------------------------------------------------------
    @property
    def spool_file(self):
        """Where batches wait while the server is unreachable (LABTRACK_SPOOL_DIR or ~/.labtrack/spool)."""
        root = os.environ.get("LABTRACK_SPOOL_DIR") or os.path.join(os.path.expanduser("~"), ".labtrack", "spool")
        return os.path.join(root, f"{self.id}.jsonl")

    def _spool_append(self, points, lines, batch_id=None):
        os.makedirs(os.path.dirname(self.spool_file), exist_ok=True)
        entry = {"points": points, "lines": lines, "attempt": self.attempt}
        if batch_id:
            entry["batchId"] = batch_id
        with open(self.spool_file, "a", encoding="utf-8") as spool:
            spool.write(json.dumps(entry, separators=(",", ":")) + "\n")
            spool.flush()
            os.fsync(spool.fileno())
        self.stats["spooled_batches"] = self.stats.get("spooled_batches", 0) + 1
        print(
            f"labtrack: {self.client.url} unreachable; {len(points)} points kept in {self.spool_file}",
            file=sys.stderr,
        )

    def _replay_spool(self):
        """Sends the spooled batches in order; stops (keeping the rest) at the first outage."""
        try:
            with open(self.spool_file, encoding="utf-8") as spool:
                batches = [json.loads(line) for line in spool if line.strip()]
        except FileNotFoundError:
            return
        except ValueError:
            batches = []
        sent = 0
        for batch in batches:
            try:
                self._send_batch(
                    batch.get("points") or [], batch.get("lines") or [], batch.get("attempt"), batch.get("batchId")
                )
            except LabtrackError as error:
                if _is_outage(error):
                    break
                print(f"labtrack: a spooled batch was refused and dropped: {error}", file=sys.stderr)
            sent += 1
        rest = batches[sent:]
        if rest:
            tmp = self.spool_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as out:
                out.writelines(json.dumps(b, separators=(",", ":")) + "\n" for b in rest)
            os.replace(tmp, self.spool_file)
        else:
            os.remove(self.spool_file)

    def _note_status(self, answer):
        if isinstance(answer, dict) and answer.get("runStatus") == "canceled":
            self.canceled = True

    def _flush_loop(self):
        while True:
            with self._lock:
                if not self._closing and len(self._points) < self.batch_size:
                    self._wake.wait(self.flush_interval)
                if self._closing:
                    return
            try:
                self.flush()
            except Exception as error:  # noqa: BLE001 - surfaced on the next call from the script
                with self._lock:
                    self._error = self._error or error

    def _raise_pending(self):
        with self._lock:
            error, self._error = self._error, None
        if error is not None:
            raise error

    # -- artifacts and results ----------------------------------------------------------------
    def upload(self, path, name=None, kind="file", content_type=None):
        """Streams a file to the run's artifacts as `name` (default: the file's base name)."""
        if kind not in ARTIFACT_KINDS:
            raise LabtrackError(f"kind must be one of {', '.join(ARTIFACT_KINDS)}, got {kind!r}")
        name = name or os.path.basename(path)
        size = os.path.getsize(path)
        url = f"{self.client.artifact_url(self.id, name)}?kind={kind}"
        headers = {"content-length": str(size), "content-type": content_type or "application/octet-stream"}
        files = []

        def request():
            handle = open(path, "rb")  # noqa: SIM115 - closed below, reopened per attempt
            files.append(handle)
            return urllib.request.Request(url, handle, self.client._headers(headers), method="PUT")

        try:
            _, raw = self.client._send(request, f"upload {name}", retry=True)
        finally:
            for handle in files:
                handle.close()
        return json.loads(raw.decode("utf-8"))

    def download(self, name, dest=None):
        """Returns an artifact's bytes, or streams them to the file `dest` and returns its path."""
        url = self.client.artifact_url(self.id, name)
        request = urllib.request.Request(url, headers=self.client._headers())
        try:
            with urllib.request.urlopen(request, timeout=self.client.timeout) as response:
                if dest is None:
                    return response.read()
                with open(dest, "wb") as out:
                    while chunk := response.read(1 << 20):
                        out.write(chunk)
                return dest
        except urllib.error.HTTPError as error:
            raise _error_from_body(error.code, error.read(), f"download {name}") from None

    def set_results(self, results):
        """Merges non-metric results (test metrics, confusion matrix...); a key set to None is removed."""
        self.info = self.client.call("runs.setResults", {"runId": self.id, "results": results})
        return self.info

    def get(self):
        self.info = self.client.call("runs.get", {"runId": self.id}, query=True)
        return self.info

    def finish(self, status="succeeded", error=None, results=None):
        """Flushes, stops the sender and ends the run. A runner-owned run only flushes and records results."""
        if self.finished:
            return self.info
        if status not in ("succeeded", "failed"):
            raise LabtrackError(f"status must be succeeded or failed, got {status!r}")
        with self._lock:
            self._closing = True
            self._wake.notify()
        self._thread.join()
        self.finished = True
        _open_runs.discard(self)
        flush_error = None
        try:
            self.flush()
        except LabtrackError as pending:
            flush_error = pending
        if not self.owns_status:
            if results:
                self.set_results(results)
            if flush_error is not None:
                raise flush_error
            return self.info
        if self.canceled:
            # The cancel already ended the run; it stays canceled.
            self.get()
            if flush_error is not None:
                raise flush_error
            return self.info
        payload = {"runId": self.id, "status": status}
        if error is not None:
            payload["error"] = error
        if results:
            payload["results"] = results
        self.info = self.client.call("runs.finish", payload, retry=True)
        if flush_error is not None:
            raise flush_error
        return self.info
