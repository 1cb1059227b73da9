import * as tf from "@tensorflow/tfjs";

/**
 * Convolution gradients written with forward convolutions, which every backend has and runs fast.
 *
 * The wasm backend has no `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter` or
 * `DepthwiseConv2dNativeBackpropInput`, and the cpu backend's `Conv2DBackpropFilter` is an
 * element-by-element loop. A filter gradient is a correlation of the input with the output gradient
 * (summed over the batch), so it can be computed as a forward convolution of the transposed input by
 * the transposed output gradient, dilated by the original stride.
 */

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

export interface ConvGeometry {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** Pads (or crops, for negative amounts) the two spatial axes of an NHWC tensor. */
function padOrCropSpatial(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.Tensor4D {
  let out = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const cropTop = Math.max(0, -top);
    const cropLeft = Math.max(0, -left);
    out = tf.slice(
      out,
      [0, cropTop, cropLeft, 0],
      [n, h - cropTop - Math.max(0, -bottom), w - cropLeft - Math.max(0, -right), c],
    );
  }
  const padTop = Math.max(0, top);
  const padBottom = Math.max(0, bottom);
  const padLeft = Math.max(0, left);
  const padRight = Math.max(0, right);
  if (padTop + padBottom + padLeft + padRight === 0) return out;
  return tf.pad(out, [
    [0, 0],
    [padTop, padBottom],
    [padLeft, padRight],
    [0, 0],
  ]);
}

/** Inserts `stride - 1` zeros between the rows and columns of an NHWC tensor, using only rank-4 ops. */
function dilateSpatial(x: tf.Tensor4D, strideH: number, strideW: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let out = x;
  if (strideW > 1) {
    const spread = tf.pad(tf.reshape(out, [n * h, w, 1, c]), [
      [0, 0],
      [0, 0],
      [0, strideW - 1],
      [0, 0],
    ]);
    out = tf.slice(
      tf.reshape<tf.Rank.R4>(spread, [n, h, w * strideW, c]),
      [0, 0, 0, 0],
      [n, h, (w - 1) * strideW + 1, c],
    );
  }
  const width = out.shape[2];
  if (strideH > 1) {
    const spread = tf.pad(tf.reshape(out, [n * h, 1, width * c]), [
      [0, 0],
      [0, strideH - 1],
      [0, 0],
    ]);
    out = tf.slice(
      tf.reshape<tf.Rank.R4>(spread, [n, h * strideH, width, c]),
      [0, 0, 0, 0],
      [n, (h - 1) * strideH + 1, width, c],
    );
  }
  return out;
}

function convInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  geometry: ConvGeometry,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    geometry.strides,
    geometry.dilations ?? 1,
    geometry.pad,
    geometry.dimRoundingMode,
    depthwise,
  );
}

/**
 * The input rows and columns the convolution reads, padded so that a valid correlation with the
 * output gradient (dilated by the stride) yields exactly the filter's spatial size.
 */
function paddedInputForFilterGradient(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const neededH =
    (info.outHeight - 1) * info.strideHeight + 1 + (info.filterHeight - 1) * info.dilationHeight;
  const neededW = (info.outWidth - 1) * info.strideWidth + 1 + (info.filterWidth - 1) * info.dilationWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  return padOrCropSpatial(x, top, neededH - info.inHeight - top, left, neededW - info.inWidth - left);
}

/** dW[kh, kw, ci, co] = sum over batch and output positions of x(window) * dy. */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  geometry: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, geometry, false);
    const xPadded = paddedInputForFilterGradient(x, info);
    // Batch becomes the contracted channel axis: input [ci, H, W, n], filter [oh, ow, n, co].
    const xT = tf.transpose(xPadded, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const grad = tf.conv2d(xT, dyT, [info.dilationHeight, info.dilationWidth], "valid", "NHWC", [
      info.strideHeight,
      info.strideWidth,
    ]);
    return tf.transpose(grad, [1, 2, 0, 3]);
  });
}

/** dW[kh, kw, c, m] of a depthwise convolution with channel multiplier m. */
export function depthwiseConv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  geometry: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, geometry, true);
    const [batch] = x.shape;
    const channels = filterShape[2];
    const multiplier = filterShape[3];
    const xPadded = paddedInputForFilterGradient(x, info);
    const [, paddedH, paddedW] = xPadded.shape;
    // Batch and channel share the depthwise axis: input [1, H, W, n*c], filter [oh, ow, n*c, m].
    const xT = tf.reshape<tf.Rank.R4>(tf.transpose(xPadded, [1, 2, 0, 3]), [
      1,
      paddedH,
      paddedW,
      batch * channels,
    ]);
    const dyT = tf.reshape<tf.Rank.R4>(tf.transpose(dy, [1, 2, 0, 3]), [
      info.outHeight,
      info.outWidth,
      batch * channels,
      multiplier,
    ]);
    const grad = tf.depthwiseConv2d(xT, dyT, [info.dilationHeight, info.dilationWidth], "valid", "NHWC", [
      info.strideHeight,
      info.strideWidth,
    ]);
    const [, kh, kw] = grad.shape;
    const perSample = tf.reshape(grad, [kh * kw, batch, channels * multiplier]);
    return tf.reshape(tf.sum(perSample, 1), filterShape);
  });
}

/** dx of a depthwise convolution: the output gradient, dilated by the stride, correlated with the flipped filter. */
export function depthwiseConv2dInputGradient(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  geometry: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, geometry, true);
    const [batch, height, width, channels] = inputShape;
    const multiplier = filter.shape[3];
    const dilated = dilateSpatial(dy, info.strideHeight, info.strideWidth);
    const reachH = (info.filterHeight - 1) * info.dilationHeight;
    const reachW = (info.filterWidth - 1) * info.dilationWidth;
    const top = reachH - info.padInfo.top;
    const left = reachW - info.padInfo.left;
    const padded = padOrCropSpatial(
      dilated,
      top,
      height + reachH - top - dilated.shape[1],
      left,
      width + reachW - left - dilated.shape[2],
    );
    const flipped = tf.reshape<tf.Rank.R4>(tf.reverse(filter, [0, 1]), [
      info.filterHeight,
      info.filterWidth,
      channels * multiplier,
      1,
    ]);
    const perOutputChannel = tf.depthwiseConv2d(padded, flipped, 1, "valid", "NHWC", [
      info.dilationHeight,
      info.dilationWidth,
    ]);
    if (multiplier === 1) return perOutputChannel;
    return tf.sum(tf.reshape(perOutputChannel, [batch, height, width, channels, multiplier]), 4);
  });
}
