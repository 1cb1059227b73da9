import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { distillationLoss, logitsFromOutputs, softTargetLoss } from "./distillation-loss.ts";
import { weightedLoss } from "./losses.ts";

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0] ?? Number.NaN;
  t.dispose();
  return v;
};

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const student = () =>
  tf.tensor2d([
    [2, -1, 0.5],
    [0, 0, 3],
  ]);
const teacher = () =>
  tf.tensor2d([
    [1, 0, -1],
    [0.5, 2, 1],
  ]);
const targets = () =>
  tf.tensor2d([
    [1, 0, 0],
    [0, 0, 1],
  ]);
const ones = () => tf.ones([2, 1]) as tf.Tensor2D;

describe("distillation loss", () => {
  it("the soft loss is 0 when the student's logits equal the teacher's, and positive otherwise", () => {
    for (const kind of ["softmax", "multi-sigmoid"] as const) {
      expect(value(softTargetLoss(kind, teacher(), teacher(), 2))).toBeCloseTo(0, 6);
      expect(value(softTargetLoss(kind, student(), teacher(), 2))).toBeGreaterThan(0.01);
    }
  });

  it("softmax: T² · KL of the softened distributions, as computed by hand", () => {
    const t = 2;
    const soften = (row: number[]) => {
      const e = row.map((x) => Math.exp(x / t));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / sum);
    };
    const byHand = [
      [
        [2, -1, 0.5],
        [1, 0, -1],
      ],
      [
        [0, 0, 3],
        [0.5, 2, 1],
      ],
    ].map(([s, q]) => {
      const p = soften(s as number[]);
      return soften(q as number[]).reduce((kl, qi, i) => kl + qi * Math.log(qi / (p[i] ?? 1)), 0);
    });
    const expected = (t * t * ((byHand[0] ?? 0) + (byHand[1] ?? 0))) / 2;
    expect(value(softTargetLoss("softmax", student(), teacher(), t))).toBeCloseTo(expected, 5);
  });

  it("sigmoid: T² · mean Bernoulli KL per label, as computed by hand", () => {
    const t = 3;
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x / t));
    const s = [2, -1, 0.5, 0, 0, 3];
    const q = [1, 0, -1, 0.5, 2, 1];
    const kls = s.map((si, i) => {
      const p = sigmoid(si);
      const r = sigmoid(q[i] ?? 0);
      return r * Math.log(r / p) + (1 - r) * Math.log((1 - r) / (1 - p));
    });
    const expected = (t * t * kls.reduce((a, b) => a + b, 0)) / kls.length;
    expect(value(softTargetLoss("multi-sigmoid", student(), teacher(), t))).toBeCloseTo(expected, 5);
  });

  it("alpha = 1 is the hard-label loss; alpha = 0 the soft loss; between, their mix", () => {
    const hard = value(weightedLoss("softmax", student(), targets(), ones()));
    const soft = value(softTargetLoss("softmax", student(), teacher(), 2));
    const mix = (alpha: number) =>
      value(distillationLoss("softmax", student(), targets(), ones(), teacher(), { alpha, temperature: 2 }));
    expect(mix(1)).toBeCloseTo(hard, 6);
    expect(mix(0)).toBeCloseTo(soft, 6);
    expect(mix(0.7)).toBeCloseTo(0.7 * hard + 0.3 * soft, 6);
  });

  it("pulls the student towards the teacher: the soft loss's gradient is (p_student - p_teacher) · T / n", () => {
    const t = 4;
    const s = student();
    const grad = tf.grad((x: tf.Tensor) => softTargetLoss("softmax", x as tf.Tensor2D, teacher(), t))(s);
    const expected = tf.div(tf.mul(tf.sub(tf.softmax(tf.div(s, t)), tf.softmax(tf.div(teacher(), t))), t), 2);
    expect(tf.max(tf.abs(tf.sub(grad, expected))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it("recovers logits from softmax and sigmoid probabilities", () => {
    const logits = teacher();
    const fromSoftmax = logitsFromOutputs(tf.softmax(logits), "softmax");
    expect(tf.max(tf.abs(tf.sub(tf.softmax(fromSoftmax), tf.softmax(logits)))).dataSync()[0]).toBeLessThan(
      1e-5,
    );
    const fromSigmoid = logitsFromOutputs(tf.sigmoid(logits), "sigmoid");
    expect(tf.max(tf.abs(tf.sub(fromSigmoid, logits))).dataSync()[0]).toBeLessThan(1e-4);
  });
});
