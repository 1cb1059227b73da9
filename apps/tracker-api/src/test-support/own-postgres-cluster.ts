import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { freePort } from "./free-port.ts";

export interface OwnPostgresCluster {
  url: string;
  start(): void;
  /** Fast shutdown: open connections are terminated, new ones refused, as in a real outage. */
  stop(): void;
  drop(): void;
}

/**
 * A Postgres 15 cluster of the test's own (pg_createcluster, Debian's postgresql-common) on a free
 * port, trust auth on 127.0.0.1, so a test can stop and start a database without touching the
 * shared one.
 */
export async function createOwnPostgresCluster(): Promise<OwnPostgresCluster> {
  const name = `labtrack_outage_${randomBytes(4).toString("hex")}`;
  const port = await freePort();
  execFileSync("pg_createcluster", ["15", name, "-p", String(port), "--", "--auth=trust"], {
    stdio: "ignore",
  });
  const ctl = (action: string) =>
    execFileSync("pg_ctlcluster", ["15", name, action, ...(action === "stop" ? ["-m", "fast"] : [])], {
      stdio: "ignore",
    });
  ctl("start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => ctl("start"),
    stop: () => ctl("stop"),
    drop: () => execFileSync("pg_dropcluster", ["15", name, "--stop"], { stdio: "ignore" }),
  };
}
