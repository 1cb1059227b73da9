import { parseArgs } from "node:util";
import { runStatus } from "@labtrack/schemas";
import { type CliIo, formatTable, serverAccess, UsageError, withTrpc } from "./cli-context.ts";

/** `labtrack runs list --project <p> [--status s]… [--limit n] [--json]` */
export async function runsList(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      status: { type: "string", multiple: true },
      limit: { type: "string", default: "50" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.project) throw new UsageError("--project: name the project whose runs to list");
  const status = (values.status ?? []).map((s) => {
    const parsed = runStatus.safeParse(s);
    if (!parsed.success)
      throw new UsageError(`--status: '${s}' must be one of ${runStatus.options.join(", ")}`);
    return parsed.data;
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit: must be a positive whole number");
  const page = await withTrpc(serverAccess(io), (trpc) =>
    trpc.runs.list.query({
      project: values.project ?? "",
      status: status.length ? status : undefined,
      limit,
    }),
  );
  if (values.json) return io.out(`${JSON.stringify(page.runs)}\n`);
  io.out(
    formatTable(
      ["ID", "NAME", "STATUS", "RUNNER", "CREATED"],
      page.runs.map((r) => [r.id, r.name, r.status, r.runner ?? "", r.createdAt]),
    ),
  );
}
