import { describe, expect, it } from "vitest";
import { parsePythonJson } from "./python-json.ts";

describe("parsePythonJson", () => {
  it("quotes bare NaN and the infinities outside strings, and only there", () => {
    expect(parsePythonJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "x\\" NaN"}')).toEqual({
      a: "NaN",
      b: ["Infinity", "-Infinity"],
      c: 'x" NaN',
    });
    expect(parsePythonJson('{"NaN": 1}')).toEqual({ NaN: 1 });
    expect(parsePythonJson("[1, NaN]")).toEqual([1, "NaN"]);
    expect(parsePythonJson("NaN")).toBe("NaN");
  });

  it("leaves every other invalid JSON invalid", () => {
    for (const text of [
      "{NaN: 1}",
      '{"a": NaNa}',
      '{"a": xNaN}',
      '{"a": nan}',
      '{"a": -NaN}',
      "[Infinity",
      '{"a": 1, NaN: 2}',
    ]) {
      expect(() => parsePythonJson(text), text).toThrow(SyntaxError);
    }
  });
});
