import { AsyncLocalStorage } from "node:async_hooks";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema.ts";

type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

interface Scope {
  db: Drizzle;
  /** False once the transaction ended: a timer started inside it must not use a closed one. */
  open: boolean;
  /** Run after the outermost transaction commits; dropped when this scope rolls back. */
  afterCommit: (() => void)[];
  /** Run inside the outermost transaction, last, just before it commits; dropped on rollback. */
  beforeCommit: (() => Promise<void>)[];
}

/**
 * Transactions that follow the async call chain. Code inside `transaction(fn)` keeps using the
 * same `db` and every statement it runs goes to that transaction, so services need not pass a
 * handle around. On PGlite (one connection) this matters twice over: a statement sent outside
 * the open transaction would wait for it forever.
 */
export function ambientTransactions(root: Drizzle) {
  const storage = new AsyncLocalStorage<Scope>();

  const current = (): Drizzle => {
    const scope = storage.getStore();
    return scope?.open ? scope.db : root;
  };

  /** Stands for whichever of the root database or the caller's transaction is current. */
  const db = new Proxy(root, {
    get(_target, property) {
      const target = current();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

  /**
   * Runs `fn` in one transaction: all of its statements commit together or none do. Inside
   * another transaction it is a savepoint, so a failure undoes only its own part.
   */
  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = storage.getStore();
    const parent = outer?.open ? outer : null;
    const scope: Scope = { db: root, open: false, afterCommit: [], beforeCommit: [] };
    const result = await (parent ? parent.db : root).transaction(async (tx) => {
      scope.db = tx as unknown as Drizzle;
      scope.open = true;
      try {
        return await storage.run(scope, async () => {
          const value = await fn();
          // Hooks may add hooks (an event written by a hook): run until none is left.
          if (!parent)
            for (let hook = scope.beforeCommit.shift(); hook; hook = scope.beforeCommit.shift()) await hook();
          return value;
        });
      } finally {
        scope.open = false;
      }
    });
    if (parent) {
      parent.afterCommit.push(...scope.afterCommit);
      parent.beforeCommit.push(...scope.beforeCommit);
    } else for (const effect of scope.afterCommit) effect();
    return result;
  }

  /** Runs `effect` once what the caller wrote is committed (at once outside a transaction). */
  function afterCommit(effect: () => void): void {
    const scope = storage.getStore();
    if (scope?.open) scope.afterCommit.push(effect);
    else effect();
  }

  /**
   * Runs `hook` in the caller's transaction after everything else it does, just before the
   * commit (a rollback drops it). False outside a transaction: there is nothing to join.
   */
  function beforeCommit(hook: () => Promise<void>): boolean {
    const scope = storage.getStore();
    if (!scope?.open) return false;
    scope.beforeCommit.push(hook);
    return true;
  }

  return { db, transaction, afterCommit, beforeCommit };
}
