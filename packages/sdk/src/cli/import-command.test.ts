import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventFileBytes, scalarRecord } from "../logfiles/tensorboard/event-file-writer.ts";
import type { CliIo } from "./cli-context.ts";
import { runLabtrackCli } from "./labtrack-cli.ts";

const FIXTURES = fileURLToPath(new URL("../logfiles/fixtures/", import.meta.url));
const T0 = 1764576000;

type Series = { key: string; steps: number[]; values: (number | string)[]; times: number[]; total: number };
type RunOut = {
  id: string;
  name: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  keyValueTags: Record<string, string>;
};

describe.each(DB_KINDS)("labtrack import against a real server on %s", (kind) => {
  let server: TestServer;
  let work: string;
  let userToken: string;

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const io: CliIo = {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: { LABTRACK_URL: server.url, LABTRACK_TOKEN: userToken },
      cwd: work,
    };
    return { code: await runLabtrackCli(argv, io), out, err };
  }
  const query = (procedure: string, input: unknown) =>
    callProcedure(server, server.adminToken, procedure, input, "query");
  const series = async (runId: string, keys: string[]) =>
    dataOf<Series[]>(await query("metrics.series", { runIds: [runId], keys }));
  const runsOf = async (project: string) =>
    dataOf<{ runs: RunOut[] }>(await query("runs.list", { project })).runs;

  beforeAll(async () => {
    server = await startTestServer(kind);
    userToken = dataOf<{ token: string }>(
      await callProcedure(server, server.adminToken, "tokens.create", { name: "importer", scope: "user" }),
    ).token;
    work = await mkdtemp(path.join(os.tmpdir(), "labtrack-import-"));
    await cp(path.join(FIXTURES, "keras-logdir"), path.join(work, "keras"), { recursive: true });
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it("imports a Keras log dir as one finished run: keys by folder, float32 exact, NaN kept, times from events", async () => {
    const first = await cli("import", "tensorboard", "keras", "--project", "imports", "--json");
    expect(first).toMatchObject({ code: 0, err: "" });
    const result = JSON.parse(first.out) as {
      runId: string;
      created: boolean;
      points: number;
      inserted: number;
    };
    expect(result).toMatchObject({ created: true, points: 12, inserted: 12, files: 2 });
    const [train, validation] = await series(result.runId, ["train/epoch_loss", "validation/epoch_loss"]);
    expect(train).toMatchObject({
      steps: [0, 1, 2],
      values: [Math.fround(0.9), Math.fround(0.61), Math.fround(0.43)],
    });
    expect(train?.times).toEqual([(T0 + 10) * 1000, (T0 + 20) * 1000, (T0 + 30) * 1000]);
    expect(validation?.values).toEqual([Math.fround(0.8), Math.fround(0.66), "NaN"]);
    const [run] = await runsOf("imports");
    expect(run).toMatchObject({
      id: result.runId,
      name: "keras",
      status: "succeeded",
      startedAt: new Date((T0 + 10) * 1000).toISOString(),
      finishedAt: new Date((T0 + 30) * 1000).toISOString(),
      keyValueTags: { "labtrack.source": path.join(work, "keras"), "labtrack.source.kind": "tensorboard" },
    });
  });

  it("re-importing the same dir updates that run and doubles nothing; new events are added", async () => {
    const before = (await runsOf("imports"))[0]!;
    const again = await cli(
      "import",
      "tensorboard",
      path.join(work, "keras"),
      "--project",
      "imports",
      "--name",
      "keras-v2",
    );
    expect(again.code).toBe(0);
    expect(again.out).toBe(
      `re-imported into run ${before.id} (keras-v2) in project imports: 12 points from 2 file(s), 0 new\n`,
    );
    await writeFile(
      path.join(work, "keras/train/events.out.tfevents.1764579999.labhost.4242.1.v2"),
      eventFileBytes(
        [
          {
            tag: "epoch_loss",
            step: 3,
            wallTime: T0 + 40,
            value: 0.3,
            encoding: "tensor_content_f32",
            withMetadata: true,
          },
        ],
        T0 + 35,
      ),
    );
    const more = await cli("import", "tensorboard", "keras", "--project", "imports", "--json");
    expect(JSON.parse(more.out)).toMatchObject({ runId: before.id, created: false, points: 13, inserted: 1 });
    const runs = await runsOf("imports");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: "keras-v2", finishedAt: new Date((T0 + 40) * 1000).toISOString() });
    const [train] = await series(before.id, ["train/epoch_loss"]);
    expect(train).toMatchObject({ steps: [0, 1, 2, 3], total: 4 });
  });

  it("imports a Lightning dir (simple_value) with bare tags, and a CSVLogger file", async () => {
    const lightning = await cli(
      "import",
      "tensorboard",
      path.join(FIXTURES, "lightning-logdir/version_0"),
      "--project",
      "imports",
      "--json",
    );
    const { runId } = JSON.parse(lightning.out) as { runId: string };
    const [loss] = await series(runId, ["train_loss"]);
    expect(loss).toMatchObject({
      steps: [0, 10, 20, 30],
      values: [Math.fround(1.1), Math.fround(1 / 11 + 0.1), Math.fround(1 / 21 + 0.1), "NaN"],
    });

    const csv = await cli(
      "import",
      "csv",
      path.join(FIXTURES, "seed004-experiment/logs/training_history.csv"),
      "--project",
      "imports",
      "--json",
    );
    const imported = JSON.parse(csv.out) as { runId: string; points: number };
    expect(imported.points).toBe(15);
    const [lr, valLoss] = await series(imported.runId, ["lr", "val_loss"]);
    expect(lr?.values).toEqual([0.0010000000474974513, 0.0010000000474974513, 0.00010000000474974513]);
    expect(valLoss?.values).toEqual([2.2801, 1.95, "-Infinity"]);
    const again = await cli(
      "import",
      "csv",
      path.join(FIXTURES, "seed004-experiment/logs/training_history.csv"),
      "--project",
      "imports",
      "--json",
    );
    expect(JSON.parse(again.out)).toMatchObject({ runId: imported.runId, created: false, inserted: 0 });
    expect(await runsOf("imports")).toHaveLength(3);
  });

  it("reports a corrupt event file with its path and offset, importing the records before it", async () => {
    await mkdir(path.join(work, "corrupt"));
    const file = path.join(work, "corrupt/events.out.tfevents.1.h");
    const good = eventFileBytes([{ tag: "loss", step: 0, wallTime: T0, value: 1 }], T0);
    const damaged = Buffer.from(scalarRecord({ tag: "loss", step: 1, wallTime: T0 + 1, value: 2 }));
    damaged[damaged.length - 1] = (damaged.at(-1) ?? 0) ^ 0xff;
    await writeFile(file, Buffer.concat([good, damaged]));
    const result = await cli("import", "tensorboard", "corrupt", "--project", "corrupt", "--json");
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      `labtrack: log capture: ${file}: CRC-32C mismatch in the record data at byte offset ${good.length}\n`,
    );
    const { runId } = JSON.parse(result.out) as { runId: string };
    expect((await series(runId, ["loss"]))[0]?.steps).toEqual([0]);
  });

  it("explains mistakes with exit code 2, naming what is wrong", async () => {
    expect((await cli("import", "tensorboard", "nowhere", "--project", "p")).err).toContain(
      "log directory: nowhere is not a directory",
    );
    expect((await cli("import", "tensorboard", "keras")).err).toContain("--project");
    expect((await cli("import", "csv", "keras", "--project", "p")).err).toContain(
      "CSV file: keras is not a file",
    );
    expect((await cli("import", "csv", "--project", "p")).code).toBe(2);
    expect(await runsOf("p")).toEqual([]);
  });
});
