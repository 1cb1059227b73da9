import http from "node:http";

export interface AnswerDroppingProxy {
  /** The proxy's base URL: give it to a client instead of the server's. */
  url: string;
  /** Requests whose answer was dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of `target` that, for the first `times` requests `matches` picks, lets
 * the server handle the request in full and then cuts the client's connection instead of
 * answering: the client sees a reset after the server committed (a lost answer). Every other
 * request passes through.
 */
export async function startAnswerDroppingProxy(opts: {
  target: string;
  matches: (req: http.IncomingMessage) => boolean;
  times: number;
}): Promise<AnswerDroppingProxy> {
  const target = new URL(opts.target);
  let dropped = 0;
  const server = http.createServer((req, res) => {
    const drop = dropped < opts.times && opts.matches(req);
    if (drop) dropped += 1;
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        if (drop) {
          // Read the whole answer first, so the server is done with the request, then hang up.
          answer.resume();
          answer.once("end", () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
