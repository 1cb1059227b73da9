import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvField } from "./csv-field.ts";

/** Reads one RFC 4180 field back (the inverse of csvField for a single field). */
function readField(field: string): string {
  return field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
}

describe("a CSV field", () => {
  it("quotes fields with commas, quotes, line breaks or spaces at an end, and only those", () => {
    expect(csvField("plain-name_1")).toBe("plain-name_1");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('lr=0.1, "big"')).toBe('"lr=0.1, ""big"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(" x")).toBe('" x"');
    expect(csvField("x ")).toBe('"x "');
    expect(csvField("")).toBe("");
  });

  it("reads back to the text it was given", () => {
    fc.assert(fc.property(fc.string(), (text) => readField(csvField(text)) === text));
  });
});
