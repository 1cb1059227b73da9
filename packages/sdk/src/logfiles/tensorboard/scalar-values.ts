import {
  DATA_CLASS_SCALAR,
  DataType,
  int64ToNumber,
  type SummaryValueMessage,
  type TensorProtoMessage,
} from "./event-proto.ts";

/** IEEE 754 half precision bits to a number (exact: every half is a double). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const scratch = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32. */
function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}

function elementCount(tensor: TensorProtoMessage): number {
  const dims = tensor.tensorShape?.dim ?? [];
  return dims.reduce((n, d) => n * int64ToNumber(d.size), 1);
}

/** The one value of a tensor_content blob (row-major, little-endian, as Tensor::AsProtoTensorContent). */
function fromContent(dtype: number, bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => bytes.byteLength === n;
  switch (dtype) {
    case DataType.DT_FLOAT:
      return need(4) ? view.getFloat32(0, true) : null;
    case DataType.DT_DOUBLE:
      return need(8) ? view.getFloat64(0, true) : null;
    case DataType.DT_HALF:
      return need(2) ? halfToNumber(view.getUint16(0, true)) : null;
    case DataType.DT_BFLOAT16:
      return need(2) ? bfloat16ToNumber(view.getUint16(0, true)) : null;
    case DataType.DT_INT32:
      return need(4) ? view.getInt32(0, true) : null;
    case DataType.DT_UINT32:
      return need(4) ? view.getUint32(0, true) : null;
    case DataType.DT_INT16:
      return need(2) ? view.getInt16(0, true) : null;
    case DataType.DT_UINT16:
      return need(2) ? view.getUint16(0, true) : null;
    case DataType.DT_INT8:
      return need(1) ? view.getInt8(0) : null;
    case DataType.DT_UINT8:
    case DataType.DT_BOOL:
      return need(1) ? view.getUint8(0) : null;
    case DataType.DT_INT64:
      return need(8) ? Number(view.getBigInt64(0, true)) : null;
    case DataType.DT_UINT64:
      return need(8) ? Number(view.getBigUint64(0, true)) : null;
    default:
      return null;
  }
}

/** The one value from the typed `*_val` field that goes with the tensor's dtype. */
function fromTypedField(tensor: TensorProtoMessage): number | null {
  const first = <T>(values: T[]): T | undefined => (values.length === 1 ? values[0] : undefined);
  let value: number | undefined;
  switch (tensor.dtype) {
    case DataType.DT_FLOAT:
      value = first(tensor.floatVal);
      break;
    case DataType.DT_DOUBLE:
      value = first(tensor.doubleVal);
      break;
    case DataType.DT_HALF: {
      const bits = first(tensor.halfVal);
      value = bits === undefined ? undefined : halfToNumber(bits);
      break;
    }
    case DataType.DT_BFLOAT16: {
      const bits = first(tensor.halfVal);
      value = bits === undefined ? undefined : bfloat16ToNumber(bits);
      break;
    }
    case DataType.DT_INT32:
    case DataType.DT_INT16:
    case DataType.DT_INT8:
    case DataType.DT_UINT8:
    case DataType.DT_UINT16:
      value = first(tensor.intVal);
      break;
    case DataType.DT_INT64: {
      const v = first(tensor.int64Val);
      value = v === undefined ? undefined : int64ToNumber(v);
      break;
    }
    case DataType.DT_BOOL: {
      const v = first(tensor.boolVal);
      value = v === undefined ? undefined : Number(v);
      break;
    }
  }
  return value ?? null;
}

/** The number a rank-0 (or one-element) tensor holds; null when it holds anything else. */
export function tensorScalar(tensor: TensorProtoMessage): number | null {
  if (tensor.tensorShape?.unknownRank || elementCount(tensor) !== 1) return null;
  if (tensor.tensorContent.byteLength > 0) return fromContent(tensor.dtype, tensor.tensorContent);
  return fromTypedField(tensor);
}

/**
 * Decides which summary values are scalars, per event file. TF2 writers (Keras, tf.summary.scalar)
 * put the `scalars` plugin metadata only on a tag's first value in a file, so the decision made
 * there holds for the tag's later values.
 */
export class ScalarTagTracker {
  private readonly scalarTags: Map<string, boolean>;

  constructor(known?: Record<string, boolean>) {
    this.scalarTags = new Map(Object.entries(known ?? {}));
  }

  snapshot(): Record<string, boolean> {
    return Object.fromEntries(this.scalarTags);
  }

  /** The value's number, or null for anything that is not a scalar (images, histograms, text, ...). */
  valueOf(value: SummaryValueMessage): number | null {
    if (value.value === "simpleValue") return value.simpleValue;
    if (value.value !== "tensor" || !value.tensor) return null;
    const metadata = value.metadata;
    // As TensorBoard's accumulator: the first metadata seen for a tag decides.
    if (metadata && !this.scalarTags.has(value.tag)) {
      const plugin = metadata.pluginData?.pluginName ?? "";
      this.scalarTags.set(value.tag, plugin === "scalars" || metadata.dataClass === DATA_CLASS_SCALAR);
    }
    if (!this.scalarTags.get(value.tag)) return null;
    return tensorScalar(value.tensor);
  }
}
