import net from "node:net";

/**
 * Whether something already listens on host:port. `pnpm start` asks before it starts the API:
 * otherwise its health check is answered by that other server and the start fails further on
 * with a message that names a token, not the port.
 */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(true);
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}
