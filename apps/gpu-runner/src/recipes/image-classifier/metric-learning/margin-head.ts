import type { MarginHeadKind, MarginSettings } from "@labtrack/core";
import * as tf from "@tensorflow/tfjs";

/** `x / ||x||` along the last axis (rows of a matrix); the floor keeps a zero row finite. */
export function l2NormalizeRows(x: tf.Tensor2D, axis = 1): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), 1e-12))));
}

/**
 * The class centres of a margin head: a [embedding_dim, classes] kernel whose normalised columns
 * are compared with the normalised embedding. Its call gives `scale × cos θ` per class (no margin:
 * that is added to the target class by `marginLogits`, which needs the labels). It is never
 * serialised: the exported model stops at the embedding.
 */
export class CosineLogits extends tf.layers.Layer {
  static className = "LabtrackCosineLogits";
  private kernel: tf.LayerVariable | null = null;

  constructor(
    private readonly units: number,
    private readonly scale: number,
    private readonly seed: number,
  ) {
    super({ name: "margin_head_centres" });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[shape.length - 1] ?? 0;
    this.kernel = this.addWeight(
      "kernel",
      [dim, this.units],
      "float32",
      tf.initializers.glorotUniform({ seed: this.seed }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape): tf.Shape {
    return [inputShape[0] ?? null, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor2D {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const centres = l2NormalizeRows(this.kernel?.read() as tf.Tensor2D, 0);
      return tf.mul(tf.matMul(l2NormalizeRows(x), centres), this.scale);
    });
  }
}

export interface MarginHead {
  kind: MarginHeadKind;
  settings: MarginSettings;
  centres: CosineLogits;
}

/**
 * Training logits: `scaledCosines` (scale × cos θ, from `CosineLogits`) with the margin applied to
 * the target class of each row (`targets` one-hot). Same maths as `marginLogits` in @labtrack/core.
 */
export function applyMargin(head: MarginHead, scaledCosines: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { margin, scale } = head.settings;
    const cos = tf.div(scaledCosines, scale) as tf.Tensor2D;
    let target: tf.Tensor2D;
    if (head.kind === "cosface") {
      target = tf.sub(cos, margin);
    } else {
      const c = tf.clipByValue(cos, -1 + 1e-7, 1 - 1e-7);
      const sin = tf.sqrt(tf.sub(1, tf.square(c)));
      const shifted = tf.sub(tf.mul(c, Math.cos(margin)), tf.mul(sin, Math.sin(margin)));
      // Past θ + m > π, insightface's fallback keeps the logit falling with θ.
      const fallback = tf.sub(c, Math.sin(Math.PI - margin) * margin);
      // tf.step has a (zero) gradient where tf.greater has none: 1 where θ + m <= π.
      const inRange = tf.step(tf.sub(c, Math.cos(Math.PI - margin)));
      target = tf.add(tf.mul(inRange, shifted), tf.mul(tf.sub(1, inRange), fallback)) as tf.Tensor2D;
    }
    return tf.mul(tf.add(tf.mul(targets, target), tf.mul(tf.sub(1, targets), cos)), scale) as tf.Tensor2D;
  });
}
