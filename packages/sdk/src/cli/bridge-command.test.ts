// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are the bridge's placeholders.
import { describe, expect, it } from "vitest";
import { bridgeConfigFrom } from "./bridge-command.ts";
import type { CliIo } from "./cli-context.ts";
import { runLabtrackCli } from "./labtrack-cli.ts";

const YAML = `
input:
  queue: ModelTraining
run:
  project: ocolecionador
  name: \${message.batchId}
  config:
    categories: \${message.categories}
  spec:
    kind: image-classifier
    data: { path: "\${message.datasetPath}" }
    model: { backbone: mobilenet_v2 }
`;

describe("labtrack bridge amqp's config file", () => {
  it("reads placeholders as plain YAML strings, fills defaults, and takes the broker URL from the environment", () => {
    const config = bridgeConfigFrom(YAML, "bridge.yaml", { LABTRACK_AMQP_URL: "amqp://u:p@mq:5672/prod" });
    expect(config.amqp.url).toBe("amqp://u:p@mq:5672/prod");
    expect(config.input).toMatchObject({ queue: "ModelTraining", idField: "batchId", declare: true });
    expect(config.output.queue).toBe("ModelEvaluation");
    expect(config.run).toMatchObject({
      name: "${message.batchId}",
      config: { categories: "${message.categories}" },
      spec: { data: { path: "${message.datasetPath}" } },
    });
    expect(bridgeConfigFrom(YAML, "bridge.yaml", {}).amqp.url).toBe("amqp://guest:guest@127.0.0.1:5672");
  });

  it("names the field of every mistake", () => {
    expect(() => bridgeConfigFrom(`${YAML}\noutput: { queue: "", pollIntervalMs: 5 }`, "b.yaml", {})).toThrow(
      /b\.yaml is not a valid bridge config:\n {2}output\.queue: .*\n {2}output\.pollIntervalMs: /,
    );
    expect(() => bridgeConfigFrom(YAML.replace("batchId", "batchId}-${env.HOME"), "b.yaml", {})).toThrow(
      "b.yaml: run.name: ${env.HOME} must start with message.",
    );
    expect(() => bridgeConfigFrom("run: [", "b.yaml", {})).toThrow(/^b\.yaml: not YAML/);
  });

  it("explains a missing config file with exit code 2", async () => {
    let err = "";
    const io: CliIo = { out: () => {}, err: (text) => (err += text), env: {}, cwd: "/nonexistent" };
    expect(await runLabtrackCli(["bridge", "amqp"], io)).toBe(2);
    expect(err).toContain("bridge.yaml: give exactly one bridge config file");
    expect(await runLabtrackCli(["bridge", "amqp", "nope.yaml"], io)).toBe(2);
    expect(err).toContain("bridge.yaml: cannot read nope.yaml");
  });
});
