import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/**
 * TensorFlow's `Event` message, decoded by protobufjs from the .proto subset beside this file
 * (copied from tensorflow/core/util/event.proto and framework/{summary,tensor,tensor_shape,types}.proto).
 */
const root = new protobuf.Root();
root.loadSync(fileURLToPath(new URL("./proto/event.proto", import.meta.url)));
root.resolveAll();

export const EventType = root.lookupType("tensorflow.Event");

/** protobufjs decodes int64 as a Long object (the `long` package) or, without it, a number. */
export type Int64 = number | { toNumber(): number };
export const int64ToNumber = (v: Int64): number => (typeof v === "number" ? v : v.toNumber());

/** DataType values a scalar may have (tensorflow/core/framework/types.proto). */
export const DataType = {
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_INT16: 5,
  DT_INT8: 6,
  DT_INT64: 9,
  DT_BOOL: 10,
  DT_BFLOAT16: 14,
  DT_UINT16: 17,
  DT_HALF: 19,
  DT_UINT32: 22,
  DT_UINT64: 23,
} as const;

export const DATA_CLASS_SCALAR = 1;

export interface TensorProtoMessage {
  dtype: number;
  tensorShape?: { dim: { size: Int64 }[]; unknownRank: boolean } | null;
  tensorContent: Uint8Array;
  halfVal: number[];
  floatVal: number[];
  doubleVal: number[];
  intVal: number[];
  int64Val: Int64[];
  boolVal: boolean[];
}

export interface SummaryValueMessage {
  tag: string;
  metadata?: {
    pluginData?: { pluginName: string } | null;
    dataClass: number;
  } | null;
  /** Which member of the `value` oneof is set (protobufjs' virtual oneof property). */
  value?: "simpleValue" | "tensor";
  simpleValue: number;
  tensor?: TensorProtoMessage | null;
}

export interface EventMessage {
  wallTime: number;
  step: Int64;
  fileVersion?: string;
  summary?: { value: SummaryValueMessage[] } | null;
}

export function decodeEvent(bytes: Uint8Array): EventMessage {
  return EventType.decode(bytes) as unknown as EventMessage;
}

/** Builds and encodes an `Event` (writers in tests, the benchmark and fixtures use it). */
export function encodeEvent(event: Record<string, unknown>): Uint8Array {
  const problem = EventType.verify(event);
  if (problem) throw new Error(`invalid Event: ${problem}`);
  return EventType.encode(EventType.fromObject(event)).finish();
}
