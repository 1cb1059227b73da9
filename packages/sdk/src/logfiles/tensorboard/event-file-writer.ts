import { DataType, encodeEvent } from "./event-proto.ts";
import { frameRecord } from "./record-framing.ts";

/** How a scalar is encoded: as PyTorch/Lightning's SummaryWriter or as TF2's tensor summaries. */
export type ScalarEncoding = "simple_value" | "tensor_content_f32" | "float_val" | "double_val";

export interface ScalarToWrite {
  tag: string;
  step: number;
  /** Seconds since the epoch. */
  wallTime: number;
  value: number;
  encoding?: ScalarEncoding;
  /** TF2 writers attach the `scalars` plugin metadata to a tag's first value only. */
  withMetadata?: boolean;
}

/** The first record of every event file. */
export function fileVersionRecord(wallTime: number): Uint8Array {
  return frameRecord(encodeEvent({ wallTime, fileVersion: "brain.Event:2" }));
}

function tensorFor(value: number, encoding: ScalarEncoding): Record<string, unknown> {
  const shape = { dim: [] };
  switch (encoding) {
    case "tensor_content_f32": {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, value, true);
      return { dtype: DataType.DT_FLOAT, tensorShape: shape, tensorContent: bytes };
    }
    case "float_val":
      return { dtype: DataType.DT_FLOAT, tensorShape: shape, floatVal: [value] };
    default:
      return { dtype: DataType.DT_DOUBLE, tensorShape: shape, doubleVal: [value] };
  }
}

/** One framed `Event` holding one scalar. */
export function scalarRecord(scalar: ScalarToWrite): Uint8Array {
  const encoding = scalar.encoding ?? "simple_value";
  const value =
    encoding === "simple_value"
      ? { tag: scalar.tag, simpleValue: scalar.value }
      : {
          tag: scalar.tag,
          tensor: tensorFor(scalar.value, encoding),
          ...(scalar.withMetadata && {
            metadata: { pluginData: { pluginName: "scalars" }, dataClass: 1 },
          }),
        };
  return frameRecord(
    encodeEvent({ wallTime: scalar.wallTime, step: scalar.step, summary: { value: [value] } }),
  );
}

/** A whole event file's bytes: the version record, then one record per scalar. */
export function eventFileBytes(scalars: ScalarToWrite[], wallTime = 0): Buffer {
  return Buffer.concat([fileVersionRecord(wallTime), ...scalars.map(scalarRecord)]);
}
