import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { EarlyStoppingState, ReduceLrOnPlateauState } from "@labtrack/core";
import * as tf from "@tensorflow/tfjs";

/**
 * A checkpoint is one file (so the runner uploads and downloads one artifact): a magic line, a
 * 4-byte header length, a JSON header (training state and tensor layout), then raw float32 data.
 */
const MAGIC = Buffer.from("LABTRACK-CKPT-1\n");
export const CHECKPOINT_EXTENSION = ".ckpt";

/** A tensor with its name, as tfjs optimizers list their state. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

export interface EpochRecord {
  epoch: number;
  phase: number;
  metrics: Record<string, number>;
}

export interface TrainingState {
  /** The phase and epoch (within it, and overall) to run next. */
  phaseIndex: number;
  epochInPhase: number;
  globalEpoch: number;
  learningRate: number;
  earlyStopping: EarlyStoppingState | null;
  reduceLr: ReduceLrOnPlateauState | null;
  overallBest: EarlyStoppingState;
  history: EpochRecord[];
  trainingSeconds: number;
  classNames: string[];
}

interface TensorEntry {
  group: string;
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface CheckpointContents {
  state: TrainingState;
  /** Named tensors by group: "model" (every weight, in model order) and one per optimizer. */
  tensors: Record<string, NamedTensor[]>;
}

export async function writeCheckpoint(file: string, contents: CheckpointContents): Promise<void> {
  const entries: TensorEntry[] = [];
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [group, named] of Object.entries(contents.tensors)) {
    for (const { name, tensor } of named) {
      const values = (await tensor.data()) as Float32Array;
      const bytes = Buffer.from(new Float32Array(values).buffer);
      entries.push({ group, name, shape: tensor.shape, offset, length: bytes.length });
      blobs.push(bytes);
      offset += bytes.length;
    }
  }
  const header = Buffer.from(JSON.stringify({ state: contents.state, tensors: entries }));
  const headerLength = Buffer.alloc(4);
  headerLength.writeUInt32LE(header.length);
  await mkdir(path.dirname(file), { recursive: true });
  // Write then rename, so a kill mid-write never leaves a truncated checkpoint behind.
  const partial = `${file}.partial`;
  await writeFile(partial, Buffer.concat([MAGIC, headerLength, header, ...blobs]));
  await rename(partial, file);
}

export async function readCheckpoint(file: string): Promise<CheckpointContents> {
  const bytes = await readFile(file);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${file} is not a Labtrack checkpoint`);
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  const header = JSON.parse(bytes.subarray(MAGIC.length + 4, dataStart).toString("utf8")) as {
    state: TrainingState;
    tensors: TensorEntry[];
  };
  const tensors: Record<string, NamedTensor[]> = {};
  for (const entry of header.tensors) {
    const start = dataStart + entry.offset;
    const values = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + entry.length),
    );
    const group = tensors[entry.group] ?? [];
    group.push({ name: entry.name, tensor: tf.tensor(values, entry.shape, "float32") });
    tensors[entry.group] = group;
  }
  return { state: header.state, tensors };
}

/** The checkpoint to resume from in a folder: the one that is furthest along. */
export async function findResumeCheckpoint(dir: string | undefined): Promise<string | undefined> {
  if (!dir || !existsSync(dir)) return undefined;
  const files = (await readdir(dir, { recursive: true }))
    .map(String)
    .filter((file) => file.endsWith(CHECKPOINT_EXTENSION))
    .map((file) => path.join(dir, file));
  let best: { file: string; epoch: number } | undefined;
  for (const file of files) {
    const bytes = await readFile(file);
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) continue;
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    const header = JSON.parse(
      bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength).toString("utf8"),
    );
    const epoch = (header as { state: TrainingState }).state.globalEpoch;
    if (!best || epoch > best.epoch) best = { file, epoch };
  }
  return best?.file;
}
