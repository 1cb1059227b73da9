import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { sweepConfig } from "@labtrack/schemas";
import { parse as parseYaml } from "yaml";
import { type CliIo, serverAccess, UsageError, withTrpc } from "./cli-context.ts";

/**
 * `labtrack sweep <sweep.yaml> --project <p> [--json]`: creates the sweep (W&B's sweep.yaml keys plus
 * `spec`, `concurrency`, `queue`, `requirements`) and prints its id. The file is checked here first,
 * so a bad space is reported naming the field without a round trip.
 */
export async function sweepCommand(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { project: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError("sweep file: give exactly one sweep.yaml");
  if (!values.project) throw new UsageError("--project: name the project the sweep's runs go to");
  const text = await readFile(path.resolve(io.cwd, file), "utf8").catch((error: Error) => {
    throw new UsageError(`sweep file: cannot read ${file} (${error.message})`);
  });
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new UsageError(`sweep file: ${file} is neither YAML nor JSON (${(error as Error).message})`);
  }
  const parsed = sweepConfig.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new UsageError(`sweep file is not valid:\n  ${problems.join("\n  ")}`);
  }
  const project = values.project;
  const sweep = await withTrpc(serverAccess(io), (trpc) =>
    trpc.sweeps.create.mutate({ project, config: document as never }),
  );
  if (values.json)
    return io.out(`${JSON.stringify({ id: sweep.id, name: sweep.name, progress: sweep.progress })}\n`);
  io.out(`${sweep.id}\n`);
}
