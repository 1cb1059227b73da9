import type { LiveEvent } from "@labtrack/schemas";
import type { Database } from "../db/client.ts";
import { type LiveEventFilter, matchesLiveFilter } from "./live-event-filter.ts";
import {
  LIVE_CHANNEL,
  liveEventRange,
  parseLiveNotice,
  pruneLiveEvents,
  readLiveEvents,
  type StoredLiveEvent,
  writeLiveEvent,
} from "./live-event-log.ts";

export type { LiveEventFilter } from "./live-event-filter.ts";

export interface StampedEvent {
  id: string;
  event: LiveEvent;
}

type Listener = (stored: StoredLiveEvent) => void;

/** How long events stay stored for a subscriber to resume from, on whichever API process. */
export const LIVE_RESUME_WINDOW_MS = 10 * 60_000;
const PAGE = 500;

/**
 * Run events for every API process of one database. `publish` stores the event with the
 * transaction of the change it tells of (table `live_events`) and NOTIFYs it; each process fans
 * out to its own subscribers the events the NOTIFYs carry, and reads from the table those too large
 * to travel in one and whatever was committed while its listening connection was down.
 * The event id is the row's id, so a subscriber that reconnects to any process with the last id it
 * saw gets everything after it, once; or a `resync` when that id is older than the resume window
 * (or from another database).
 */
export class LiveEventBus {
  /** The highest id delivered to this process's subscribers; null until `watch` has started. */
  private delivered: number | null = null;
  /** NOTIFY payloads not yet handled, in the order they arrived (commit order, which is id order). */
  private readonly notices: string[] = [];
  /**
   * False until the table was read since the listening connection was last (re)made: only then
   * does a NOTIFY's event follow the last delivered one with nothing missed in between.
   */
  private caughtUp = false;
  private pumping = false;
  private pumpAgain = false;
  private readonly listeners = new Set<Listener>();
  private onError: (error: unknown) => void = () => {};

  constructor(private readonly database: Database) {}

  /** Publishes `event` once the caller's transaction commits (at once outside one). */
  publish(event: LiveEvent): Promise<void> {
    return writeLiveEvent(this.database, event);
  }

  /** Starts delivering events committed by any process to this one's subscribers; resolves with a stop function. */
  watch(onError: (error: unknown) => void): Promise<() => Promise<void>> {
    this.onError = onError;
    return this.database.listen(
      LIVE_CHANNEL,
      (payload) => {
        this.notices.push(payload);
        this.pump();
      },
      // (Re)connected: what was committed while the connection was down is read from the table.
      () => {
        this.caughtUp = false;
        this.pump();
      },
    );
  }

  /** Forgets events older than the resume window (done by one process: see cluster-duties.ts). */
  prune(keepMs = LIVE_RESUME_WINDOW_MS): Promise<number> {
    return pruneLiveEvents(this.database, keepMs);
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumpAgain = false;
    this.deliverNew()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) this.pump();
      });
  }

  private async deliverNew(): Promise<void> {
    if (this.delivered === null) {
      // First connection: subscribers start from now.
      this.delivered = (await liveEventRange(this.database)).last ?? 0;
      this.caughtUp = true;
    }
    for (;;) {
      if (!this.caughtUp) {
        this.caughtUp = true;
        await this.deliverFromTable();
        continue;
      }
      const payload = this.notices.shift();
      if (payload === undefined) return;
      const { id, body } = parseLiveNotice(payload);
      if (id !== null && id <= this.delivered) continue;
      if (id !== null && this.listeners.size === 0) {
        // Nobody to tell: only keep up (no body read, none parsed).
        this.delivered = id;
        continue;
      }
      if (id === null || body === null) {
        // Too large for the NOTIFY (or a payload without an id): read what was committed since.
        await this.deliverFromTable();
        continue;
      }
      // Every event committed before this one was NOTIFYd before it, so none is skipped.
      this.deliver({ id, event: JSON.parse(body) as LiveEvent });
    }
  }

  private deliver(stored: StoredLiveEvent): void {
    this.delivered = stored.id;
    for (const listener of this.listeners) listener(stored);
  }

  /** Delivers every stored event after the last delivered one. */
  private async deliverFromTable(): Promise<void> {
    const from = this.delivered ?? 0;
    if (this.listeners.size === 0) {
      // Nobody to tell: only keep up (an index lookup, no bodies read).
      const { last } = await liveEventRange(this.database);
      if (this.listeners.size === 0) {
        this.delivered = Math.max(from, last ?? 0);
        return;
      }
    }
    for (;;) {
      const page = await readLiveEvents(this.database, this.delivered ?? from, PAGE);
      for (const stored of page) this.deliver(stored);
      if (page.length < PAGE) return;
    }
  }

  /**
   * Where a subscriber that last saw `lastEventId` resumes: the events after it, or null when some
   * may be missing (pruned, or an id of another database or of the former in-process ids).
   */
  private async resumable(lastEventId: string): Promise<number | null> {
    if (!/^\d{1,15}$/.test(lastEventId)) return null;
    const after = Number(lastEventId);
    const { first, last } = await liveEventRange(this.database);
    if (first === null || last === null || first > after || after > last) return null;
    return after;
  }

  /** An async stream of matching events; ends when `signal` aborts. */
  async *subscribe(
    filter: LiveEventFilter,
    lastEventId: string | null | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<StampedEvent> {
    const queue: StoredLiveEvent[] = [];
    let wake: (() => void) | null = null;
    // Listening before reading the table: an event committed meanwhile is in one or both, never neither.
    const listener: Listener = (stored) => {
      if (!matchesLiveFilter(filter, stored.event)) return;
      queue.push(stored);
      wake?.();
    };
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      // Without an id: what is committed from now on (an event committed just before, still on
      // its way to this process, is not sent).
      let sent = (await liveEventRange(this.database)).last ?? 0;
      if (lastEventId) {
        const after = await this.resumable(lastEventId);
        if (after === null) {
          yield { id: String(sent), event: { kind: "resync", runId: null, project: null } };
        } else {
          sent = after;
          for (;;) {
            const page = await readLiveEvents(this.database, sent, PAGE, filter);
            for (const stored of page) {
              sent = stored.id;
              yield { id: String(stored.id), event: stored.event };
            }
            if (page.length < PAGE || signal?.aborted) break;
          }
        }
      }
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next) {
          // Already sent from the table, or older than the resync point.
          if (next.id <= sent) continue;
          sent = next.id;
          yield { id: String(next.id), event: next.event };
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      this.listeners.delete(listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
