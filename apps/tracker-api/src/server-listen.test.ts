import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLabtrackServer, PortInUseError } from "./server.ts";
import { startTestServer, type TestServer } from "./test-support/test-server.ts";

describe("a second tracker-api on a port that is taken", () => {
  let first: TestServer;
  beforeAll(async () => {
    first = await startTestServer("pglite");
  });
  afterAll(async () => {
    await first.close();
  });

  it("refuses with a message naming the port and LABTRACK_PORT, and the process goes on", async () => {
    const port = Number(new URL(first.url).port);
    const second = createLabtrackServer({ services: first.services, log: pino({ level: "silent" }) });
    const listening = second.listen(port, "127.0.0.1");
    await expect(listening).rejects.toBeInstanceOf(PortInUseError);
    await expect(listening).rejects.toThrow(
      `port ${port} on 127.0.0.1 is in use (another Labtrack, or another program): stop it, or set LABTRACK_PORT to a free port`,
    );
    // Before, ws re-emitted the listen error as an unhandled 'error' event, which ends the process;
    // here the first server still answers.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  });
});
