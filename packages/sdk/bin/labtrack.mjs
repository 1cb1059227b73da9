#!/usr/bin/env node
// The CLI ships as TypeScript source, like every workspace package: tsx loads it.
import { register } from "tsx/esm/api";

register();
const { runLabtrackCli } = await import("../src/cli/labtrack-cli.ts");
const { processIo } = await import("../src/cli/cli-context.ts");
process.exitCode = await runLabtrackCli(process.argv.slice(2), processIo);
