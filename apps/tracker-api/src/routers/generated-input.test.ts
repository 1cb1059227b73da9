import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { appRouter } from "../root.ts";
import {
  BASES,
  CALLABLE,
  capabilities,
  changed,
  command,
  type Fixture,
  type Json,
  namesField,
  pathsOf,
  replaceAt,
  SWEEP_VALUES,
  sweepYaml,
} from "../test-support/procedure-inputs.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { createCallerFactory, describeZodError } from "../trpc.ts";

describe.each(DB_KINDS)("generated input on %s", (kind) => {
  let server: TestServer;
  let fixture: Fixture;
  const call = (path: string, method: "query" | "mutation", input: Json) =>
    callProcedure(server, server.adminToken, path, input, method);

  beforeAll(async () => {
    server = await startTestServer(kind);
    const run = dataOf<{ id: string }>(await call("runs.create", "mutation", { project: "gen" }));
    const enqueue = async () =>
      dataOf<{ id: string }>(await call("queue.enqueue", "mutation", { project: "gen", spec: command })).id;
    const heldId = await enqueue();
    const runner = await call("runners.register", "mutation", {
      name: "gen-held",
      capabilities,
      slots: [{ index: 0, gpuIndices: [0] }],
    });
    const runnerId = dataOf<{ runnerId: string }>(runner).runnerId;
    const claimed = await call("runners.claim", "mutation", { runnerId, slot: 0 });
    expect(dataOf<{ id: string }>(claimed).id).toBe(heldId);
    const token = await call("tokens.create", "mutation", { name: "victim", scope: "user" });
    const sweep = await call("sweeps.create", "mutation", { project: "gen", config: sweepYaml });
    fixture = {
      sweepId: dataOf<{ id: string }>(sweep).id,
      runId: run.id,
      queuedId: await enqueue(),
      heldId,
      runnerId,
      tokenId: dataOf<{ id: number }>(token).id,
    };
  });
  afterAll(() => server.close());

  it("has a valid base input for every procedure, which the server accepts", async () => {
    expect(Object.keys(BASES).sort()).toEqual(CALLABLE.map((p) => p.path).sort());
    for (const { path, method } of CALLABLE) {
      const res = await call(path, method, BASES[path]!(fixture));
      // A missing dataset is a 404; every other base input is taken as it is.
      expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(
        path === "datasets.get" ? 405 : 400,
      );
    }
  });

  it("never answers 500 over HTTP to generated changes of any input, and every 4xx names the field", async () => {
    const cases = fc
      .constantFrom(...CALLABLE)
      .chain((procedure) =>
        changed(BASES[procedure.path]!(fixture)).map((input) => ({ ...procedure, input })),
      );
    await fc.assert(
      fc.asyncProperty(cases, async ({ path, method, input }) => {
        const res = await call(path, method, input);
        const message = res.body.error?.message ?? "";
        const where = `${path} ${String(JSON.stringify(input)).slice(0, 300)} -> ${res.status} ${message.slice(0, 300)}`;
        expect(res.status, where).toBeLessThan(500);
        if (res.status >= 400) expect(namesField(message, input), where).toBe(true);
      }),
      { numRuns: Number(process.env.LABTRACK_FUZZ_RUNS ?? 150) },
    );
  }, 120_000);

  it("refuses each hostile value at every field of every procedure with a 4xx naming it, never a 500", async () => {
    // The caller runs the same procedures without HTTP: fast enough to try every field.
    const caller = createCallerFactory(appRouter)({
      services: server.services,
      log: pino({ level: "silent" }),
      caller: await server.services.tokens.authenticate(server.adminToken),
    }) as unknown as Record<string, Record<string, (input: Json) => Promise<unknown>>>;
    const failures: string[] = [];
    for (const { path } of CALLABLE) {
      const base = BASES[path]!(fixture);
      const [group, name] = path.split(".") as [string, string];
      for (const field of pathsOf(base)) {
        for (const value of SWEEP_VALUES) {
          const input = replaceAt(base, field, value);
          try {
            await caller[group]![name]!(input);
          } catch (error) {
            const trpc = error instanceof TRPCError ? error : null;
            const zod = trpc?.cause instanceof ZodError ? trpc.cause : null;
            const message = zod
              ? `Invalid input: ${describeZodError(zod)}`
              : String((error as Error).message);
            if (!trpc || trpc.code === "INTERNAL_SERVER_ERROR" || !namesField(message, input)) {
              failures.push(
                `${path} ${field.join(".")}=${String(JSON.stringify(value)).slice(0, 40)}: ${message.slice(0, 200)}`,
              );
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
