import net from "node:net";

export interface CuttableTcpProxy {
  port: number;
  /** Cuts every open connection and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `host:port` whose connections a test can cut (a network
 * outage); `cutOn`, when given, cuts a connection as soon as the client sends bytes it matches.
 */
export async function startCuttableTcpProxy(
  host: string,
  port: number,
  cutOn?: (fromClient: Buffer) => boolean,
): Promise<CuttableTcpProxy> {
  const open = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, host);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    if (cutOn) client.on("data", (chunk: Buffer) => cutOn(chunk) && drop());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cutAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      refusing = true;
      cutAll();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
