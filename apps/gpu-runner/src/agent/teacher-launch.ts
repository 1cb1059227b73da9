import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** The exported model of a run lives under this artifact prefix (model.json, weights, labels, config). */
export const MODEL_PREFIX = "model/";

export interface TeacherArtifacts {
  list: (runId: string) => Promise<{ path: string; kind: string }[]>;
  download: (runId: string, artifactPath: string) => Promise<Buffer>;
}

/**
 * Fetches a distillation teacher run's exported model (its `model/` artifacts) into `dir`, the way
 * resumed runs fetch their checkpoint. Throws with a message naming `spec.distillation.teacher`.
 */
export async function fetchTeacherModel(
  artifacts: TeacherArtifacts,
  teacherRunId: string,
  dir: string,
): Promise<{ dir: string; files: number; bytes: number }> {
  const field = "spec.distillation.teacher";
  const listed = await artifacts.list(teacherRunId).catch((error: Error) => {
    throw new Error(`${field}: run ${teacherRunId}: ${error.message}`);
  });
  const files = listed.filter((a) => a.kind === "model" && a.path.startsWith(MODEL_PREFIX));
  if (!files.some((a) => a.path === `${MODEL_PREFIX}model.json`)) {
    throw new Error(`${field}: run ${teacherRunId} has no exported model (${MODEL_PREFIX}model.json)`);
  }
  const root = path.resolve(dir);
  let bytes = 0;
  for (const file of files) {
    const target = path.resolve(root, file.path.slice(MODEL_PREFIX.length));
    if (!target.startsWith(`${root}${path.sep}`)) {
      throw new Error(`${field}: run ${teacherRunId}: artifact path ${file.path} leaves the model folder`);
    }
    const content = await artifacts.download(teacherRunId, file.path).catch((error: Error) => {
      throw new Error(`${field}: run ${teacherRunId}: ${file.path}: ${error.message}`);
    });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    bytes += content.length;
  }
  return { dir: root, files: files.length, bytes };
}
