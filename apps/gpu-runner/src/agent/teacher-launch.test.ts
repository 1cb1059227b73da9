import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fetchTeacherModel, type TeacherArtifacts } from "./teacher-launch.ts";

const TEACHER = "6f1c1a52-3f0e-4d61-9a8e-3b0a3c1d2e4f";
let dir = "";

function store(
  files: Record<string, { kind: string; body: string }>,
): TeacherArtifacts & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    list: async () => Object.entries(files).map(([p, f]) => ({ path: p, kind: f.kind })),
    download: async (_run, p) => {
      fetched.push(p);
      return Buffer.from(files[p]?.body ?? "");
    },
  };
}

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("fetchTeacherModel", () => {
  it("downloads the teacher run's model/ artifacts, and nothing else, into the folder", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-teacher-"));
    const artifacts = store({
      "model/model.json": { kind: "model", body: "{}" },
      "model/weights.bin": { kind: "model", body: "weights" },
      "model/inference_config.json": { kind: "model", body: '{"x":1}' },
      "checkpoints/last.ckpt": { kind: "checkpoint", body: "big" },
      "metrics.json": { kind: "file", body: "{}" },
    });
    const fetched = await fetchTeacherModel(artifacts, TEACHER, path.join(dir, "teacher"));
    expect(fetched.files).toBe(3);
    expect((await readdir(fetched.dir)).sort()).toEqual([
      "inference_config.json",
      "model.json",
      "weights.bin",
    ]);
    expect(await readFile(path.join(fetched.dir, "weights.bin"), "utf8")).toBe("weights");
    expect(artifacts.fetched).not.toContain("checkpoints/last.ckpt");
  });

  it("names the field when the run has no exported model or cannot be read", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-teacher-"));
    const noModel = store({ "checkpoints/last.ckpt": { kind: "checkpoint", body: "" } });
    await expect(fetchTeacherModel(noModel, TEACHER, dir)).rejects.toThrow(
      `spec.distillation.teacher: run ${TEACHER} has no exported model (model/model.json)`,
    );
    const denied: TeacherArtifacts = {
      list: async () => {
        throw new Error("FORBIDDEN");
      },
      download: async () => Buffer.alloc(0),
    };
    await expect(fetchTeacherModel(denied, TEACHER, dir)).rejects.toThrow(
      `spec.distillation.teacher: run ${TEACHER}: FORBIDDEN`,
    );
  });

  it("refuses an artifact path that would leave the model folder", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-teacher-"));
    const hostile = store({
      "model/model.json": { kind: "model", body: "{}" },
      "model/../../escape.txt": { kind: "model", body: "x" },
    });
    await expect(fetchTeacherModel(hostile, TEACHER, path.join(dir, "teacher"))).rejects.toThrow(
      "leaves the model folder",
    );
  });
});
