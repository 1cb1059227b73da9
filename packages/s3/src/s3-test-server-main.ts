import { startS3TestServer } from "./s3-test-server.ts";

/**
 * `tsx src/s3-test-server-main.ts [bucket]`: s3rver on a free loopback port in its own process (for
 * benchmarks, so it does not share the load generator's event loop). Prints `endpoint <url>` once
 * it listens; SIGTERM stops it and removes its objects.
 */
const server = await startS3TestServer(process.argv[2] ?? "labtrack-bench");
process.stdout.write(`endpoint ${server.endpoint}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
