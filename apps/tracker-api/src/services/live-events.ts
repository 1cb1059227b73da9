import { randomBytes } from "node:crypto";
import type { LiveEvent } from "@labtrack/schemas";

export interface LiveEventFilter {
  project?: string | undefined;
  runIds?: ReadonlySet<string> | undefined;
  kinds?: ReadonlySet<LiveEvent["kind"]> | undefined;
  /** Only events of these projects (what the subscriber's token may read); all when absent. */
  projects?: ReadonlySet<string> | undefined;
}

export interface StampedEvent {
  id: string;
  event: LiveEvent;
}

type Listener = (stamped: StampedEvent) => void;

function matches(filter: LiveEventFilter, event: LiveEvent): boolean {
  if (event.kind === "resync") return true;
  if (filter.kinds && !filter.kinds.has(event.kind)) return false;
  if (filter.projects && !filter.projects.has(event.project)) return false;
  if (filter.runIds && filter.runIds.size > 0) return filter.runIds.has(event.runId);
  return filter.project === undefined || filter.project === event.project;
}

/**
 * In-process fan-out of run events with a replay buffer. Event ids are `<boot>-<seq>`: a subscriber
 * that reconnects with the last id it saw gets everything after it, or a `resync` event when the
 * server restarted or the id fell out of the buffer.
 */
export class LiveEventBus {
  private readonly boot = randomBytes(4).toString("hex");
  private seq = 0;
  private readonly buffer: StampedEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly bufferSize = 20_000) {}

  publish(event: LiveEvent): void {
    this.seq += 1;
    const stamped = { id: `${this.boot}-${this.seq}`, event };
    this.buffer.push(stamped);
    if (this.buffer.length > this.bufferSize) this.buffer.splice(0, this.buffer.length - this.bufferSize);
    for (const listener of this.listeners) listener(stamped);
  }

  /** Events after `lastEventId`, or null when they can no longer be replayed. */
  private replayAfter(lastEventId: string): StampedEvent[] | null {
    const [boot, seqText] = lastEventId.split("-");
    const seq = Number(seqText);
    if (boot !== this.boot || !Number.isInteger(seq) || seq > this.seq) return null;
    const first = this.buffer[0];
    const firstSeq = first ? Number(first.id.split("-")[1]) : this.seq + 1;
    if (seq < firstSeq - 1) return null;
    return this.buffer.slice(seq - firstSeq + 1);
  }

  /** An async stream of matching events; ends when `signal` aborts. */
  async *subscribe(
    filter: LiveEventFilter,
    lastEventId: string | null | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<StampedEvent> {
    const queue: StampedEvent[] = [];
    let wake: (() => void) | null = null;
    const listener: Listener = (stamped) => {
      if (!matches(filter, stamped.event)) return;
      queue.push(stamped);
      wake?.();
    };
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      if (lastEventId) {
        const replay = this.replayAfter(lastEventId);
        if (replay === null) {
          yield {
            id: `${this.boot}-${this.seq}`,
            event: { kind: "resync", runId: null, project: null },
          };
        } else {
          queue.unshift(...replay.filter((s) => matches(filter, s.event)));
        }
      }
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
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
