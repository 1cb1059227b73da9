import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type InferenceConfig, inferenceConfig } from "@labtrack/inference";
import type { DistillationOptions } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import type { OutputKind } from "./classifier-model.ts";
import type { LabelledImage } from "./dataset-listing.ts";
import { logitsFromOutputs } from "./distillation-loss.ts";
import { batchesOf } from "./example-set.ts";
import { type DecodedImage, decodeImage, toFloatBatch } from "./image-decoding.ts";
import { loadModelFromDir } from "./model-files.ts";

type Activation = "softmax" | "sigmoid" | "linear";

interface Teacher {
  model: tf.LayersModel;
  inputSize: number;
  activation: Activation;
  /** Its class names in output order, when its folder says (a Labtrack export does). */
  classNames: string[] | null;
  /** Outputs per class (a Labtrack binary-sigmoid export has one for two classes). */
  output: OutputKind | null;
}

function lastActivation(model: tf.LayersModel): Activation {
  const last = model.layers.at(-1);
  const activation = (last?.getConfig().activation as string | undefined) ?? "linear";
  if (activation === "softmax" || activation === "sigmoid" || activation === "linear") return activation;
  throw new Error(
    `the teacher's last layer has activation '${activation}': expected softmax, sigmoid or linear`,
  );
}

/** A teacher model folder: a Labtrack export (with inference_config.json) or any tfjs LayersModel taking [0, 1] RGB. */
export async function loadTeacher(location: string): Promise<Teacher> {
  const model = await loadModelFromDir(location);
  const configFile = path.join(location, "inference_config.json");
  let config: InferenceConfig | null = null;
  if (existsSync(configFile)) {
    config = inferenceConfig.parse(JSON.parse(await readFile(configFile, "utf8")));
  }
  const inputSize = config?.input_size ?? model.inputs[0]?.shape[1];
  if (!inputSize) throw new Error(`${location}: the teacher's input size is unknown`);
  return {
    model,
    inputSize,
    activation: lastActivation(model),
    classNames: config?.class_names ?? null,
    output: config?.output ?? null,
  };
}

/** Column c of the student's classes in the teacher's outputs (by name when the teacher names its classes). */
function classColumns(teacher: Teacher, classNames: readonly string[]): number[] {
  if (!teacher.classNames) return classNames.map((_, i) => i);
  const names = teacher.classNames;
  const missing = classNames.filter((name) => !names.includes(name));
  if (missing.length > 0) throw new Error(`the teacher does not know the classes ${missing.join(", ")}`);
  return classNames.map((name) => names.indexOf(name));
}

/**
 * The teacher's logits in the student's output layout: per class for softmax and multi-sigmoid
 * students, one column (class 1 against class 0) for a binary-sigmoid student. Single-label and
 * multi-label teachers and students must agree.
 */
function toStudentLogits(
  teacher: Teacher,
  logits: tf.Tensor2D,
  columns: number[],
  student: OutputKind,
): tf.Tensor2D {
  return tf.tidy(() => {
    const teacherSigmoid = teacher.activation === "sigmoid";
    const binaryTeacher = teacher.output === "binary-sigmoid" || (teacherSigmoid && logits.shape[1] === 1);
    if (binaryTeacher) {
      if (student === "multi-sigmoid") throw new Error("a binary teacher cannot teach a multi-label student");
      return student === "binary-sigmoid"
        ? logits
        : (tf.concat([tf.zerosLike(logits), logits], 1) as tf.Tensor2D);
    }
    if (teacherSigmoid !== (student === "multi-sigmoid")) {
      throw new Error(
        `the teacher is ${teacherSigmoid ? "multi-label (sigmoid)" : "single-label (softmax)"}, the student is not`,
      );
    }
    const perClass = tf.gather(logits, columns, 1) as tf.Tensor2D;
    if (student !== "binary-sigmoid") return perClass;
    const [negative, positive] = tf.split(perClass, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return tf.sub(positive, negative) as tf.Tensor2D;
  });
}

/**
 * The teacher's logits for every training image, computed once (the images decoded at the
 * teacher's own input size) and kept for the whole run: [images, student output units].
 */
export async function teacherLogits(
  teacher: Teacher,
  images: readonly LabelledImage[],
  classNames: readonly string[],
  student: OutputKind,
  batchSize: number,
): Promise<tf.Tensor2D> {
  const columns = classColumns(teacher, classNames);
  const parts: tf.Tensor2D[] = [];
  for (const batch of batchesOf(
    images.map((_, i) => i),
    batchSize,
  )) {
    const decoded: DecodedImage[] = [];
    for (const i of batch) {
      const file = images[i]?.file ?? "";
      const result = await decodeImage(file, teacher.inputSize);
      if (!result.ok) throw new Error(`${file}: the teacher cannot read it: ${result.reason}`);
      decoded.push(result.image);
    }
    parts.push(
      tf.tidy(() => {
        const input = tf.tensor4d(toFloatBatch(decoded), [
          decoded.length,
          teacher.inputSize,
          teacher.inputSize,
          3,
        ]);
        const outputs = teacher.model.predict(input) as tf.Tensor2D;
        return toStudentLogits(teacher, logitsFromOutputs(outputs, teacher.activation), columns, student);
      }),
    );
  }
  const all = tf.concat(parts) as tf.Tensor2D;
  for (const part of parts) part.dispose();
  return all;
}

/** What the training loop needs to distil: the cached teacher logits (one row per training image) and the mix. */
export interface DistillationTargets {
  logits: tf.Tensor2D;
  alpha: number;
  temperature: number;
  teacher: string;
  teacherInputSize: number;
}

/**
 * Loads the spec's teacher (from `teacherDir` when the runner fetched a run's model, else its
 * `tfjs:` folder), computes its logits for the training images once, and frees the teacher.
 */
export async function prepareDistillation(
  distillation: DistillationOptions,
  teacherDir: string | undefined,
  trainImages: readonly LabelledImage[],
  classNames: readonly string[],
  student: OutputKind,
  batchSize: number,
): Promise<DistillationTargets> {
  const location =
    teacherDir ??
    (distillation.teacher.startsWith("tfjs:") ? distillation.teacher.slice("tfjs:".length) : null);
  if (!location) {
    throw new Error(
      `distillation.teacher: run ${distillation.teacher}'s model must be fetched by the runner (LABTRACK_TEACHER_DIR)`,
    );
  }
  const teacher = await loadTeacher(location).catch((error: Error) => {
    throw new Error(`distillation.teacher: ${location}: ${error.message}`);
  });
  try {
    const logits = await teacherLogits(teacher, trainImages, classNames, student, batchSize).catch(
      (error: Error) => {
        throw new Error(`distillation.teacher: ${error.message}`);
      },
    );
    return {
      logits,
      alpha: distillation.alpha,
      temperature: distillation.temperature,
      teacher: distillation.teacher,
      teacherInputSize: teacher.inputSize,
    };
  } finally {
    teacher.model.dispose();
  }
}
