import net from "node:net";
import { describe, expect, it } from "vitest";
import { portInUse } from "./port-in-use.ts";

function listenOn(host: string): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, host, () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

describe("portInUse", () => {
  it("says a port another server listens on is in use, and frees it again once that server stops", async () => {
    const { server, port } = await listenOn("127.0.0.1");
    expect(await portInUse("127.0.0.1", port)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    expect(await portInUse("127.0.0.1", port)).toBe(false);
    // The probe let go of the port: a server can take it at once.
    const again = net.createServer();
    await new Promise<void>((resolve) => again.listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => again.close(resolve));
  });

  it("counts a server on every address (0.0.0.0) as holding the loopback port", async () => {
    const { server, port } = await listenOn("0.0.0.0");
    expect(await portInUse("127.0.0.1", port)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
  });
});
