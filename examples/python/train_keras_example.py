"""Two-phase MobileNetV2 transfer learning, reported to Labtrack.

Needs TensorFlow 2 (`pip install tensorflow`); it is not run by this repository's tests (the CI
machine has no TensorFlow), only compiled with `python3 -m py_compile`. The callback it uses is
tested with a fake training loop in test_labtrack_keras.py.

    LABTRACK_URL=http://localhost:8420 LABTRACK_TOKEN=... \
        python3 train_keras_example.py --data ./flowers --project flowers

Queued on a Labtrack runner (a `command` spec) the same script attaches to the queued run through
LABTRACK_RUN_ID, and the runner ends the run from the exit code. `--data` holds one folder per class.
"""

import argparse
import os

import tensorflow as tf

import labtrack_client as labtrack
from labtrack_keras import LabtrackKerasCallback

IMAGE_SIZE = (224, 224)


def datasets(data_dir, batch_size, seed):
    common = {"image_size": IMAGE_SIZE, "batch_size": batch_size, "seed": seed, "validation_split": 0.2}
    train = tf.keras.utils.image_dataset_from_directory(data_dir, subset="training", **common)
    val = tf.keras.utils.image_dataset_from_directory(data_dir, subset="validation", **common)
    classes = train.class_names
    return train.prefetch(tf.data.AUTOTUNE), val.prefetch(tf.data.AUTOTUNE), classes


def build_model(num_classes, dropout):
    base = tf.keras.applications.MobileNetV2(input_shape=IMAGE_SIZE + (3,), include_top=False, weights="imagenet")
    base.trainable = False
    augment = tf.keras.Sequential([tf.keras.layers.RandomFlip("horizontal"), tf.keras.layers.RandomRotation(0.1)])
    inputs = tf.keras.Input(shape=IMAGE_SIZE + (3,))
    x = augment(inputs)
    x = tf.keras.applications.mobilenet_v2.preprocess_input(x)
    x = base(x, training=False)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dropout(dropout)(x)
    outputs = tf.keras.layers.Dense(num_classes, activation="softmax")(x)
    return tf.keras.Model(inputs, outputs), base


def compile_model(model, learning_rate):
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--project", default="flowers")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--fine-tune-epochs", type=int, default=10)
    parser.add_argument("--fine-tune-at", type=int, default=100, help="unfreeze base layers from this index")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    tf.keras.utils.set_random_seed(args.seed)
    config = {**vars(args), "base": "MobileNetV2", "image_size": list(IMAGE_SIZE), "dropout": 0.2}
    with labtrack.init(project=args.project, config=config, tags=["mobilenetv2", "transfer"]) as run:
        train, val, classes = datasets(args.data, args.batch_size, args.seed)
        model, base = build_model(len(classes), config["dropout"])
        callback = LabtrackKerasCallback(run, batch_every=50)

        # Phase 1: train the new head on the frozen base.
        compile_model(model, args.lr)
        model.fit(train, validation_data=val, epochs=args.epochs, callbacks=[callback])

        # Phase 2: unfreeze the top of the base and fine-tune with a 10x smaller learning rate;
        # epochs keep counting from where phase 1 stopped, so the charts continue.
        base.trainable = True
        for layer in base.layers[: args.fine_tune_at]:
            layer.trainable = False
        compile_model(model, args.lr / 10)
        total = args.epochs + args.fine_tune_epochs
        model.fit(train, validation_data=val, epochs=total, initial_epoch=args.epochs, callbacks=[callback])

        loss, accuracy = model.evaluate(val, return_dict=False)
        run.set_results({"classes": classes, "val/final_loss": loss, "val/final_accuracy": accuracy})

        out_dir = os.environ.get("LABTRACK_ARTIFACTS_DIR") or "."
        model_path = os.path.join(out_dir, "model.keras")
        model.save(model_path)
        if not os.environ.get("LABTRACK_ARTIFACTS_DIR"):  # a runner uploads that folder itself
            run.upload(model_path, kind="model")


if __name__ == "__main__":
    main()
