// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are template placeholders, not JS templates.
import type { JsonValue } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkTemplateRoots,
  parseTemplateString,
  renderTemplate,
  TemplateError,
  templateExpressions,
  valueAt,
} from "./message-template.ts";

const message = {
  batchId: "batch_20251115_001",
  totalImages: 9000,
  categories: ["carros", "moedas", "animais"],
  datasetPath: "training/carros/",
  meta: { "source.system": { id: 7 } },
  empty: null,
};
const strict = { missing: "error" } as const;

describe("renderTemplate", () => {
  it("keeps a lone placeholder's type and writes values out inside text", () => {
    const template = {
      name: "train-${message.batchId}",
      images: "${message.totalImages}",
      categories: "${message.categories}",
      first: "${message.categories.0}",
      note: "${message.totalImages} images of ${message.categories}",
      empty: "${message.empty}",
      fixed: 3,
      list: ["${message.datasetPath}", true],
    };
    expect(renderTemplate(template, { message }, strict)).toEqual({
      name: "train-batch_20251115_001",
      images: 9000,
      categories: ["carros", "moedas", "animais"],
      first: "carros",
      note: '9000 images of ["carros","moedas","animais"]',
      empty: null,
      fixed: 3,
      list: ["training/carros/", true],
    });
  });

  it("reads keys that hold dots, and the whole message", () => {
    expect(renderTemplate("${message.meta.source.system.id}", { message }, strict)).toBe(7);
    expect(renderTemplate("${message}", { message }, strict)).toEqual(message);
    expect(renderTemplate("cost: $${message.batchId}", { message }, strict)).toBe("cost: ${message.batchId}");
  });

  it("names the template field and the missing message field", () => {
    const template = { spec: { data: { path: "${message.datasetPath}/${message.nope}" } } };
    expect(() => renderTemplate(template, { message }, strict)).toThrow(
      new TemplateError("spec.data.path: ${message.nope}: message has no field nope"),
    );
    expect(() => renderTemplate("${message.categories.9}", { message }, strict)).toThrow(TemplateError);
    expect(() => renderTemplate("${message.totalImages.x}", { message }, strict)).toThrow(TemplateError);
  });

  it("turns what is missing into null (or nothing inside text) when asked to", () => {
    const lenient = { missing: "null" } as const;
    expect(renderTemplate({ a: "${run.results.test/f1}", b: "f1=${run.x}" }, { run: {} }, lenient)).toEqual({
      a: null,
      b: "f1=",
    });
  });

  it("does not read inherited properties and keeps a __proto__ key as a key", () => {
    expect(() => renderTemplate("${message.constructor}", { message }, strict)).toThrow(TemplateError);
    const rendered = renderTemplate(JSON.parse('{"__proto__": "${message.batchId}"}'), { message }, strict);
    expect(Object.keys(rendered as object)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
  });

  it("renders any template without placeholders as itself (property)", () => {
    const noPlaceholders = fc.jsonValue().filter((value) => !JSON.stringify(value).includes("${"));
    fc.assert(
      fc.property(noPlaceholders, (value) => {
        const template = JSON.parse(JSON.stringify(value)) as JsonValue;
        expect(renderTemplate(template, {}, strict)).toEqual(template);
      }),
    );
  });

  it("gives back any message value through a lone placeholder, and as text inside a string (property)", () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(key, fc.jsonValue(), (field, raw) => {
        const value = JSON.parse(JSON.stringify(raw)) as JsonValue;
        const context = { message: { [field]: value } };
        expect(renderTemplate(`\${message.${field}}`, context, strict)).toEqual(value);
        const text = typeof value === "string" ? value : JSON.stringify(value);
        expect(renderTemplate(`<\${message.${field}}>`, context, strict)).toBe(`<${text}>`);
      }),
    );
  });
});

describe("template parsing", () => {
  it("splits text and placeholders and lists each placeholder with its place", () => {
    expect(parseTemplateString("a${ message.x }b$${c}")).toEqual([
      { literal: "a" },
      { expression: "message.x" },
      { literal: "b${c}" },
    ]);
    expect(templateExpressions({ spec: ["${message.a}", { b: "${run.b}" }] })).toEqual([
      { at: "spec.0", expression: "message.a" },
      { at: "spec.1.b", expression: "run.b" },
    ]);
    expect(valueAt({ message }, "message.categories.2")).toBe("animais");
    expect(valueAt({ message }, "other.x")).toBeUndefined();
  });

  it("refuses placeholders outside the allowed roots", () => {
    expect(() => checkTemplateRoots({ name: "${message.batchId}" }, ["message"])).not.toThrow();
    expect(() => checkTemplateRoots({ name: "${env.HOME}" }, ["message"])).toThrow(
      "name: ${env.HOME} must start with message.",
    );
    expect(() => checkTemplateRoots({ name: "${}" }, ["message"])).toThrow(TemplateError);
  });
});
