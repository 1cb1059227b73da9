import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { experimentSpec } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const dir = fileURLToPath(new URL(".", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

describe("sample experiment specs", () => {
  it("has samples to check", () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });
  it.each(files)("%s is a valid spec, as queue.enqueue would check it", (file) => {
    const result = experimentSpec.safeParse(parse(readFileSync(`${dir}/${file}`, "utf8")));
    expect(result.error?.issues ?? []).toEqual([]);
  });
});
