import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { type QueueEnqueueInput, queueEnqueueInput } from "@labtrack/schemas";
import { parse as parseYaml } from "yaml";
import { type CliIo, serverAccess, UsageError, withTrpc } from "./cli-context.ts";

/**
 * The enqueue input a spec file describes: either a bare spec (`kind: image-classifier`, …) or a
 * whole request (`project`, `name`, `spec`, …). Command-line options win over the file.
 */
export function enqueueInputFromFile(
  document: unknown,
  overrides: { project?: string; name?: string; queue?: string; priority?: number },
): QueueEnqueueInput {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new UsageError("spec file: expected a YAML or JSON object");
  }
  const fields = document as Record<string, unknown>;
  const request: Record<string, unknown> = "kind" in fields ? { spec: fields } : { ...fields };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) request[key] = value;
  if (request.project === undefined)
    throw new UsageError("project: pass --project or set project in the file");
  const parsed = queueEnqueueInput.safeParse(request);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new UsageError(`spec file is not valid:\n  ${problems.join("\n  ")}`);
  }
  return request as QueueEnqueueInput;
}

/** `labtrack queue <spec.yaml|json> [--project p] [--name n] [--queue q] [--priority n] [--json]` */
export async function queueCommand(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      name: { type: "string" },
      queue: { type: "string" },
      priority: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError("spec file: give exactly one spec file (YAML or JSON)");
  const text = await readFile(path.resolve(io.cwd, file), "utf8").catch((error: Error) => {
    throw new UsageError(`spec file: cannot read ${file} (${error.message})`);
  });
  let document: unknown;
  try {
    document = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw new UsageError(`spec file: ${file} is neither YAML nor JSON (${(error as Error).message})`);
  }
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority))
    throw new UsageError("--priority: must be a whole number");
  const input = enqueueInputFromFile(document, { ...values, priority });
  const queued = await withTrpc(serverAccess(io), (trpc) => trpc.queue.enqueue.mutate(input));
  if (values.json) return io.out(`${JSON.stringify(queued)}\n`);
  io.out(`queued run ${queued.id} (${queued.name}) in project ${queued.project}\n`);
}
