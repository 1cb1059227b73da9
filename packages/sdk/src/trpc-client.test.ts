import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { classifySendFailure } from "./send-failure.ts";
import { createTrpcClient } from "./trpc-client.ts";

/**
 * A frozen server: it completes the WebSocket handshake and then reads nothing and answers nothing
 * (no PONG, no close frame), as a stopped process or a dropped network path looks from the client.
 */
async function startFrozenServer() {
  const sockets: Socket[] = [];
  const server = http.createServer();
  server.on("upgrade", (req, socket: Socket) => {
    const accept = createHash("sha1")
      .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.pause();
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("the WebSocket transport", () => {
  let frozen: Awaited<ReturnType<typeof startFrozenServer>> | null = null;
  afterEach(async () => {
    await frozen?.close();
    frozen = null;
  });

  it("fails the pending calls of a server that stopped answering, and connects again", async () => {
    frozen = await startFrozenServer();
    const client = createTrpcClient({
      url: frozen.url,
      token: "lt_runner_frozen",
      transport: "websocket",
      keepAliveMs: 200,
    });
    const started = Date.now();
    const failure = await client.trpc.runs.get.query({ runId: "00000000-0000-4000-8000-000000000000" }).then(
      () => null,
      (error: unknown) => error,
    );
    // Cut off after a ping left unanswered (200 + 200 ms) and a close frame unanswered (2 s), where
    // the socket would otherwise wait for TCP to give up.
    expect(failure).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    // No answer from the server: a transient failure, which the runner's spool sends again.
    expect(classifySendFailure(failure)).toBe("transient");
    await expect.poll(() => frozen?.sockets.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(1);
    await client.close();
  }, 30_000);
});
