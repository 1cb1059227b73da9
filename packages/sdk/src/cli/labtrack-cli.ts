import { LabtrackHttpError } from "../artifact-transfer.ts";
import { bridgeAmqp } from "./bridge-command.ts";
import { type CliIo, UsageError } from "./cli-context.ts";
import { datasetList, datasetPush } from "./dataset-commands.ts";
import { importCsv, importTensorboard } from "./import-command.ts";
import { queueCommand } from "./queue-command.ts";
import { runsList } from "./runs-command.ts";
import { sweepCommand } from "./sweep-command.ts";

export const USAGE = `usage: labtrack <command>

  dataset push <folder> [--name <name>]   upload a folder as the next version of a dataset
  dataset list [--name <name>]            list datasets and their versions
  queue <spec.yaml|json> [--project <p>] [--name <n>] [--queue <q>] [--priority <n>]
                                          queue a run (a bare spec, or project/name/spec/...)
  runs list --project <p> [--status <s>]  list a project's runs
  sweep <sweep.yaml> --project <p>        start a hyperparameter sweep; prints its id
  import tensorboard <logdir> --project <p> [--name <n>]
                                          one run from a TensorBoard log directory (again: updates it)
  import csv <file> --project <p> [--name <n>]
                                          one run from a CSV training log (Keras CSVLogger)
  bridge amqp <bridge.yaml>               RabbitMQ messages in as queued runs, results out
                                          (runs until SIGINT/SIGTERM; LABTRACK_AMQP_URL
                                          overrides amqp.url)

  --json prints machine-readable output. The server is LABTRACK_URL (default
  http://localhost:8420), the token LABTRACK_TOKEN.
`;

type Command = (args: string[], io: CliIo) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  "dataset push": datasetPush,
  "dataset list": datasetList,
  "runs list": runsList,
  "import tensorboard": importTensorboard,
  "import csv": importCsv,
  "bridge amqp": bridgeAmqp,
  queue: queueCommand,
  sweep: sweepCommand,
};

/** Our own usage errors and node:util parseArgs' (unknown option, missing value). */
const isUsageMistake = (error: unknown) =>
  error instanceof UsageError ||
  (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"));

/** The HTTP status behind an error from a stream call or a tRPC call (TRPCClientError's data). */
function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof LabtrackHttpError) return error.status;
  const data = (error as { data?: { httpStatus?: unknown } } | null)?.data;
  return typeof data?.httpStatus === "number" ? data.httpStatus : undefined;
}

/** Runs one CLI invocation; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function runLabtrackCli(argv: string[], io: CliIo): Promise<number> {
  const [first = "", second = "", ...rest] = argv;
  if (first === "" || first === "help" || first === "--help" || first === "-h") {
    io.out(USAGE);
    return first === "" ? 2 : 0;
  }
  const pair = COMMANDS[`${first} ${second}`];
  const single = COMMANDS[first];
  const command = pair ?? single;
  if (!command) {
    io.err(`labtrack: unknown command '${[first, second].join(" ").trim()}'\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(pair ? rest : argv.slice(1), io);
    return 0;
  } catch (error) {
    if (isUsageMistake(error)) {
      io.err(`labtrack: ${(error as Error).message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    const hint = httpStatusOf(error) === 401 ? " (check LABTRACK_TOKEN)" : "";
    io.err(`labtrack: ${message}${hint}\n`);
    return 1;
  }
}
