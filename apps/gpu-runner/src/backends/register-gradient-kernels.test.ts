import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { registerGradientKernels } from "./register-gradient-kernels.ts";

type Pad = "valid" | "same" | number;

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  kernel: [number, number];
  stride: [number, number];
  pad: Pad;
  /** Output channels for conv2d, channel multiplier for depthwise. */
  outChannels: number;
}

/** Shapes, strides and paddings like the ones MobileNetV2 and a small CNN use, plus awkward ones. */
function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  const sizes: [number, number][] = [
    [7, 7],
    [8, 8],
    [9, 6],
    [12, 11],
    [16, 16],
  ];
  const kernels: [number, number][] = [
    [1, 1],
    [3, 3],
    [2, 3],
    [5, 5],
  ];
  const strides: [number, number][] = [
    [1, 1],
    [2, 2],
    [3, 2],
  ];
  // No numeric padding: the stock wasm Conv2D corrupts its memory with one (tfjs 4.22), and
  // tf.layers only ever asks for "valid" or "same".
  const pads: Pad[] = ["valid", "same"];
  let i = 0;
  for (const [height, width] of sizes) {
    for (const kernel of kernels) {
      for (const stride of strides) {
        for (const pad of pads) {
          if (kernel[0] > height || kernel[1] > width) continue;
          i += 1;
          cases.push({
            batch: 1 + (i % 3),
            height,
            width,
            inChannels: 1 + (i % 4),
            kernel,
            stride,
            pad,
            outChannels: 1 + (i % 2),
          });
        }
      }
    }
  }
  return cases;
}

/** Gradients of a weighted sum of conv outputs w.r.t. input and filter: runs the backprop kernels. */
function convGradients(c: ConvCase, depthwise: boolean): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomUniform([c.batch, c.height, c.width, c.inChannels], -1, 1, "float32", 1);
    const filter = tf.randomUniform([...c.kernel, c.inChannels, c.outChannels], -1, 1, "float32", 2);
    const forward = (input: tf.Tensor4D, weights: tf.Tensor4D) =>
      depthwise
        ? tf.depthwiseConv2d(input, weights, c.stride, c.pad)
        : tf.conv2d(input, weights, c.stride, c.pad);
    const outShape = forward(x as tf.Tensor4D, filter as tf.Tensor4D).shape;
    const weighting = tf.randomUniform(outShape, -1, 1, "float32", 3);
    const grads = tf.grads((input: tf.Tensor, weights: tf.Tensor) =>
      tf.sum(tf.mul(forward(input as tf.Tensor4D, weights as tf.Tensor4D), weighting)),
    )([x, filter]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

const cases = convCases();
const reference = new Map<string, Float32Array[]>();

describe("forward-convolution gradient kernels", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
    // The stock cpu kernels, before anything is replaced, are the reference.
    for (const [index, c] of cases.entries()) {
      reference.set(`conv-${index}`, convGradients(c, false));
      reference.set(`depthwise-${index}`, convGradients(c, true));
    }
  });

  it("covers many shapes, strides and paddings", () => {
    expect(cases.length).toBeGreaterThan(90);
  });

  it("match the stock cpu kernels when replacing them on cpu", async () => {
    await tf.setBackend("cpu");
    const replaced = registerGradientKernels("cpu", {
      replace: [
        "Conv2DBackpropFilter",
        "DepthwiseConv2dNativeBackpropFilter",
        "DepthwiseConv2dNativeBackpropInput",
      ],
    });
    expect(replaced).toHaveLength(3);
    for (const [index, c] of cases.entries()) {
      for (const depthwise of [false, true]) {
        const expected = reference.get(`${depthwise ? "depthwise" : "conv"}-${index}`)!;
        const actual = convGradients(c, depthwise);
        expect(maxAbsDifference(actual[0]!, expected[0]!), `dx ${JSON.stringify(c)}`).toBeLessThan(1e-4);
        expect(maxAbsDifference(actual[1]!, expected[1]!), `dW ${JSON.stringify(c)}`).toBeLessThan(1e-4);
      }
    }
  });

  it("fill the kernels wasm lacks and match the cpu kernels there", async () => {
    expect(await tf.setBackend("wasm")).toBe(true);
    expect(registerGradientKernels("wasm").sort()).toEqual([
      "Conv2DBackpropFilter",
      "DepthwiseConv2dNativeBackpropFilter",
      "DepthwiseConv2dNativeBackpropInput",
    ]);
    for (const [index, c] of cases.entries()) {
      for (const depthwise of [false, true]) {
        const expected = reference.get(`${depthwise ? "depthwise" : "conv"}-${index}`)!;
        const actual = convGradients(c, depthwise);
        expect(maxAbsDifference(actual[0]!, expected[0]!), `dx ${JSON.stringify(c)}`).toBeLessThan(1e-4);
        expect(maxAbsDifference(actual[1]!, expected[1]!), `dW ${JSON.stringify(c)}`).toBeLessThan(1e-4);
      }
    }
    expect(tf.memory().numTensors).toBeLessThan(50);
  });
});
