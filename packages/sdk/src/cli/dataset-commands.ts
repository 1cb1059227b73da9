import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { datasetName } from "@labtrack/schemas";
import { pushDataset } from "../dataset-transfer.ts";
import { type CliIo, formatTable, serverAccess, UsageError, withTrpc } from "./cli-context.ts";

/** `labtrack dataset push <folder> --name <name>` */
export async function datasetPush(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { name: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [folderArg, ...extra] = positionals;
  if (!folderArg || extra.length > 0) throw new UsageError("folder: give exactly one folder to push");
  const folder = path.resolve(io.cwd, folderArg);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`folder: ${folder} is not a folder`);
  const name = datasetName.safeParse(values.name ?? path.basename(folder));
  if (!name.success) throw new UsageError(`--name: ${name.error.issues[0]?.message}`);
  const pushed = await pushDataset({ ...serverAccess(io), name: name.data, folder });
  if (values.json) return io.out(`${JSON.stringify(pushed)}\n`);
  const verb = pushed.created ? "pushed" : "unchanged, already";
  io.out(
    `${verb} dataset:${pushed.name}@${pushed.version} (${pushed.fileCount} files, ${pushed.size} bytes, sha256 ${pushed.sha256.slice(0, 12)})\n`,
  );
}

/** `labtrack dataset list [--name <name>] [--json]` */
export async function datasetList(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { name: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const found = await withTrpc(serverAccess(io), (trpc) => trpc.datasets.list.query({ name: values.name }));
  if (values.json) return io.out(`${JSON.stringify(found)}\n`);
  io.out(
    formatTable(
      ["DATASET", "FILES", "BYTES", "SHA256", "CREATED"],
      found.map((d) => [
        `${d.name}@${d.version}`,
        String(d.fileCount),
        String(d.size),
        d.sha256.slice(0, 12),
        d.createdAt,
      ]),
    ),
  );
}
