import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { importLogSource } from "../logfiles/log-import.ts";
import { type CliIo, serverAccess, UsageError, withTrpc } from "./cli-context.ts";

type SourceKind = "tensorboard" | "csv";

async function importCommand(kind: SourceKind, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const what = kind === "tensorboard" ? "log directory" : "CSV file";
  const [given, ...extra] = positionals;
  if (!given || extra.length > 0) throw new UsageError(`${what}: give exactly one ${what}`);
  if (!values.project) throw new UsageError("--project: name the project to import into");
  const source = path.resolve(io.cwd, given);
  const info = await stat(source).catch(() => null);
  if (kind === "tensorboard" && !info?.isDirectory())
    throw new UsageError(`log directory: ${given} is not a directory`);
  if (kind === "csv" && !info?.isFile()) throw new UsageError(`CSV file: ${given} is not a file`);
  const result = await withTrpc(serverAccess(io), (trpc) =>
    importLogSource({
      trpc,
      project: values.project ?? "",
      kind,
      source,
      name: values.name,
      onProblem: (message) => io.err(`labtrack: ${message}\n`),
    }),
  );
  if (values.json) {
    const { run, created, points, inserted, files } = result;
    return io.out(`${JSON.stringify({ runId: run.id, created, points, inserted, files })}\n`);
  }
  const verb = result.created ? "imported into new run" : "re-imported into run";
  io.out(
    `${verb} ${result.run.id} (${result.run.name}) in project ${result.run.project}: ` +
      `${result.points} points from ${result.files} file(s), ${result.inserted} new\n`,
  );
}

/** `labtrack import tensorboard <logdir> --project <p> [--name <n>] [--json]` */
export const importTensorboard = (args: string[], io: CliIo) => importCommand("tensorboard", args, io);

/** `labtrack import csv <file> --project <p> [--name <n>] [--json]` */
export const importCsv = (args: string[], io: CliIo) => importCommand("csv", args, io);
