"""Keras callback that logs every epoch's `logs` dict to a Labtrack run.

    run = labtrack_client.init(project="flowers", config=hparams)
    model.fit(train_ds, validation_data=val_ds, epochs=10, callbacks=[LabtrackKerasCallback(run)])

Keras names map to Labtrack keys: `val_x` -> `val/x`, `x` -> `train/x`, and `lr` /
`learning_rate` -> `lr`. The step is the epoch index Keras passes (it keeps counting across a
second `fit(..., initial_epoch=...)`, as in two-phase transfer learning). With
`batch_every=N`, every Nth training batch is also logged as `batch/x`, stepped by batches seen.
Without TensorFlow/Keras installed the callback is a plain class with the same methods, so it can
be driven by any training loop (and tested without TF).
"""

import math

from labtrack_client import to_wire_number

try:  # Keras 3 first, then the copy bundled with TensorFlow 2.
    import keras

    _CallbackBase = keras.callbacks.Callback
except Exception:  # noqa: BLE001 - any import failure means "no Keras"
    try:
        from tensorflow import keras

        _CallbackBase = keras.callbacks.Callback
    except Exception:  # noqa: BLE001

        class _CallbackBase:
            """Stand-in for keras.callbacks.Callback when Keras is not installed."""

            def __init__(self):
                self.model = None
                self.params = {}

            def set_model(self, model):
                self.model = model

            def set_params(self, params):
                self.params = params

            def on_train_begin(self, logs=None):
                pass

            def on_epoch_begin(self, epoch, logs=None):
                pass

            def on_train_batch_begin(self, batch, logs=None):
                pass


HAS_KERAS = _CallbackBase.__module__.split(".")[0] in ("keras", "tensorflow")
_LEARNING_RATE_NAMES = ("lr", "learning_rate")


def keras_metric_key(name, prefix="train/"):
    """The Labtrack key for a Keras logs name."""
    if name in _LEARNING_RATE_NAMES:
        return "lr"
    if name.startswith("val_"):
        return "val/" + name[len("val_") :]
    return prefix + name


def _numbers(logs, prefix="train/"):
    """Keras logs as {labtrack key: float}; values that are not numbers (strings, arrays) are skipped."""
    out = {}
    for name, value in (logs or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        out[keras_metric_key(str(name), prefix)] = number
    return out


def _better(key, new, old):
    if math.isnan(new):
        return False
    if old is None or math.isnan(old):
        return True
    return new < old if "loss" in key else new > old


class LabtrackKerasCallback(_CallbackBase):
    """Logs each epoch's metrics to `run`; on train end records the last and best values as results."""

    def __init__(self, run, batch_every=None, flush_each_epoch=False):
        super().__init__()
        self.run = run
        self.batch_every = batch_every
        self.flush_each_epoch = flush_each_epoch
        self.batches_seen = 0
        self.last_epoch = None
        self.last = {}
        self.best = {}

    def on_epoch_end(self, epoch, logs=None):
        metrics = _numbers(logs)
        if not metrics:
            return
        self.run.log(metrics, step=epoch, epoch=epoch)
        self.last_epoch = epoch
        self.last = metrics
        for key, value in metrics.items():
            if key.startswith("val/"):
                old = self.best.get(key)
                if _better(key, value, None if old is None else old[0]):
                    self.best[key] = (value, epoch)
        if self.flush_each_epoch:
            self.run.flush()

    def on_train_batch_end(self, batch, logs=None):
        self.batches_seen += 1
        if self.batch_every and self.batches_seen % self.batch_every == 0:
            metrics = _numbers(logs, prefix="batch/")
            metrics.pop("lr", None)
            if metrics:
                self.run.log(metrics, step=self.batches_seen)

    def on_train_end(self, logs=None):
        """Results: epochs trained, the last epoch's values, and the best of each val/ metric."""
        if self.last_epoch is None:
            return
        results = {"epochs": self.last_epoch + 1}
        results.update({f"last/{key}": to_wire_number(value) for key, value in self.last.items()})
        for key, (value, epoch) in self.best.items():
            results[f"best/{key}"] = to_wire_number(value)
            results[f"best/{key}/epoch"] = epoch
        self.run.flush()
        self.run.set_results(results)
