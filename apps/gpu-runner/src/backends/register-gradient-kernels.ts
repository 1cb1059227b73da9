import * as tf from "@tensorflow/tfjs";
import {
  type ConvGeometry,
  conv2dFilterGradient,
  depthwiseConv2dFilterGradient,
  depthwiseConv2dInputGradient,
} from "./conv-gradients-via-forward-conv.ts";

type Shape4D = [number, number, number, number];

/**
 * Wraps a kernel input in a Tensor. The wrapper shares the input's data, so the backend's reference
 * count is raised to keep the data alive when the wrapper is disposed.
 */
function asTensor4D(info: tf.TensorInfo | undefined, name: string): tf.Tensor4D {
  if (!info) throw new Error(`kernel input '${name}' is missing`);
  const tensor = tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
  tf.engine().backend.incRef(info.dataId);
  return tensor;
}

function geometryOf(attrs: tf.NamedAttrMap): ConvGeometry {
  return {
    strides: attrs.strides as ConvGeometry["strides"],
    dilations: attrs.dilations as ConvGeometry["dilations"],
    pad: attrs.pad as ConvGeometry["pad"],
    dimRoundingMode: attrs.dimRoundingMode as ConvGeometry["dimRoundingMode"],
  };
}

/** Runs `compute` on tensors made from the kernel's inputs and frees those handles afterwards. */
function withInputs(
  inputs: tf.NamedTensorInfoMap,
  names: [string, string],
  compute: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D,
): tf.TensorInfo {
  const a = asTensor4D(inputs[names[0]], names[0]);
  const b = asTensor4D(inputs[names[1]], names[1]);
  try {
    return compute(a, b);
  } finally {
    a.dispose();
    b.dispose();
  }
}

const gradientKernels: { kernelName: string; kernelFunc: tf.KernelFunc }[] = [
  {
    kernelName: "Conv2DBackpropFilter",
    kernelFunc: ({ inputs, attrs = {} }) => {
      if (attrs.dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter: NCHW is not supported");
      return withInputs(inputs, ["x", "dy"], (x, dy) =>
        conv2dFilterGradient(x, dy, attrs.filterShape as Shape4D, geometryOf(attrs)),
      );
    },
  },
  {
    kernelName: "DepthwiseConv2dNativeBackpropFilter",
    kernelFunc: ({ inputs, attrs = {} }) =>
      withInputs(inputs, ["x", "dy"], (x, dy) =>
        depthwiseConv2dFilterGradient(x, dy, attrs.filterShape as Shape4D, geometryOf(attrs)),
      ),
  },
  {
    kernelName: "DepthwiseConv2dNativeBackpropInput",
    kernelFunc: ({ inputs, attrs = {} }) =>
      withInputs(inputs, ["dy", "filter"], (dy, filter) =>
        depthwiseConv2dInputGradient(attrs.inputShape as Shape4D, dy, filter, geometryOf(attrs)),
      ),
  },
];

/** The names of the kernels this module can provide. */
export const gradientKernelNames = gradientKernels.map((kernel) => kernel.kernelName);

/**
 * Registers the forward-convolution gradient kernels for a backend where it has none (wasm lacks all
 * three), and replaces the ones named in `replace` (cpu's `Conv2DBackpropFilter` is a scalar loop).
 * Returns the names it registered.
 */
export function registerGradientKernels(
  backendName: string,
  options: { replace?: readonly string[] } = {},
): string[] {
  const registered: string[] = [];
  for (const kernel of gradientKernels) {
    const existing = tf.getKernel(kernel.kernelName, backendName);
    if (existing) {
      if (!options.replace?.includes(kernel.kernelName)) continue;
      tf.unregisterKernel(kernel.kernelName, backendName);
    }
    tf.registerKernel({ kernelName: kernel.kernelName, backendName, kernelFunc: kernel.kernelFunc });
    registered.push(kernel.kernelName);
  }
  return registered;
}
