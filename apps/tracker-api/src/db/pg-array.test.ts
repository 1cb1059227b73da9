import { describe, expect, it } from "vitest";
import { numberArrayLiteral, textArrayLiteral } from "./pg-array.ts";

describe("array literals", () => {
  it("quotes text so commas, quotes, backslashes and braces survive", () => {
    expect(textArrayLiteral(["a,b", 'say "hi"', "back\\slash", "{x}", null])).toBe(
      '{"a,b","say \\"hi\\"","back\\\\slash","{x}",NULL}',
    );
  });
  it("writes non-finite numbers the way Postgres reads float8", () => {
    expect(
      numberArrayLiteral([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, -0, 0]),
    ).toBe("{1.5,NaN,Infinity,-Infinity,NULL,-0,0}");
  });
});
