import type { Logger } from "pino";
import type { WebSocket } from "ws";
import type { TokenService } from "../services/tokens.ts";
import type { Context } from "../trpc.ts";

/** Close code a socket gets when its token is revoked (4000-4999 are the application's). */
export const TOKEN_REVOKED_CLOSE_CODE = 4401;
/** How long a revoked socket has to finish the closing handshake before it is cut. */
const CLOSE_GRACE_MS = 1_000;

type Connection = { socket: WebSocket; ctx: Context };

/**
 * The open WebSocket connections of each token. A WebSocket authenticates once, when it opens, so
 * a revocation must reach the connections already open: their context loses its caller at once
 * (every later call on them is UNAUTHORIZED), and the socket is closed, which ends its subscriptions.
 */
export class TokenSockets {
  private readonly byToken = new Map<number, Set<Connection>>();

  add(tokenId: number, socket: WebSocket, ctx: Context): void {
    const connection = { socket, ctx };
    const set = this.byToken.get(tokenId) ?? new Set();
    this.byToken.set(tokenId, set.add(connection));
    socket.once("close", () => {
      set.delete(connection);
      if (set.size === 0 && this.byToken.get(tokenId) === set) this.byToken.delete(tokenId);
    });
  }

  /** Drops the token's connections; answers how many there were. */
  revoke(tokenId: number): number {
    const set = this.byToken.get(tokenId);
    if (!set) return 0;
    this.byToken.delete(tokenId);
    for (const { socket, ctx } of set) {
      ctx.caller = null;
      socket.close(TOKEN_REVOKED_CLOSE_CODE, "token revoked");
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    }
    return set.size;
  }

  tokenIds(): number[] {
    return [...this.byToken.keys()];
  }
}

/**
 * Keeps `sockets` in step with revocations: a revoked id drops its connections; after a gap in
 * the notifications (null), every open connection's token is checked again.
 */
export function dropRevokedSockets(tokens: TokenService, sockets: TokenSockets, log: Logger): () => void {
  return tokens.onRevoked((tokenId) => {
    if (tokenId !== null) {
      const dropped = sockets.revoke(tokenId);
      if (dropped > 0) log.info({ tokenId, dropped }, "closed the WebSockets of a revoked token");
      return;
    }
    tokens
      .revokedAmong(sockets.tokenIds())
      .then((revoked) => {
        for (const id of revoked) sockets.revoke(id);
      })
      .catch((error: unknown) => log.warn({ err: error }, "could not recheck open WebSockets' tokens"));
  });
}
