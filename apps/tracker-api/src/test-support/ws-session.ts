import WebSocket from "ws";

type Message = {
  id?: number | string;
  result?: { type: string; data?: unknown };
  error?: { message: string; data?: { code?: string } };
};

export interface WsSession {
  /** Every data payload received for subscription `id`, in order. */
  data(id: number): unknown[];
  /** The error answered to request `id`, if any. */
  error(id: number): Message["error"] | undefined;
  /** Starts a subscription; answers its request id. */
  subscribe(path: string, input: unknown): number;
  /** A query or mutation over the socket; resolves with its result or error message. */
  request(method: "query" | "mutation", path: string, input: unknown): Promise<Message>;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
  close(): void;
}

/** A raw tRPC WebSocket connection, authenticated the way the sdk does it (connection params). */
export async function openWsSession(url: string, token: string): Promise<WsSession> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/trpc?connectionParams=1`);
  const received = new Map<number, Message[]>();
  const waiting = new Map<number, (message: Message) => void>();
  let nextId = 1;
  socket.on("message", (raw) => {
    const message = JSON.parse(String(raw)) as Message;
    if (typeof message.id !== "number") return;
    received.set(message.id, [...(received.get(message.id) ?? []), message]);
    waiting.get(message.id)?.(message);
  });
  const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  const send = (method: string, path: string, input: unknown) => {
    const id = nextId++;
    socket.send(JSON.stringify({ id, method, params: { path, input } }));
    return id;
  };
  return {
    data: (id) =>
      (received.get(id) ?? []).filter((m) => m.result?.type === "data").map((m) => m.result?.data),
    error: (id) => (received.get(id) ?? []).find((m) => m.error)?.error,
    subscribe: (path, input) => send("subscription", path, input),
    request(method, path, input) {
      return new Promise((resolve, reject) => {
        const id = send(method, path, input);
        waiting.set(id, resolve);
        void closed.then(() => reject(new Error(`socket closed before request ${id} was answered`)));
      });
    },
    closed,
    close: () => socket.close(),
  };
}
