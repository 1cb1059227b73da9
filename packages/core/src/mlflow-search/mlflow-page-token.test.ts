import { describe, expect, it } from "vitest";
import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { decodeMlflowPageToken, encodeMlflowPageToken } from "./mlflow-page-token.ts";

describe("MLflow page tokens", () => {
  it("encodes exactly what MLflow's create_page_token returns", () => {
    // base64.b64encode(json.dumps({"offset": 3}).encode("utf-8"))
    expect(encodeMlflowPageToken(3)).toBe("eyJvZmZzZXQiOiAzfQ==");
    expect(decodeMlflowPageToken("eyJvZmZzZXQiOiAzfQ==")).toBe(3);
    expect(decodeMlflowPageToken(encodeMlflowPageToken(12345))).toBe(12345);
  });

  it("reads no token as offset 0", () => {
    expect(decodeMlflowPageToken(undefined)).toBe(0);
    expect(decodeMlflowPageToken("")).toBe(0);
  });

  it("accepts a string offset, as Python's int() does", () => {
    expect(decodeMlflowPageToken(btoa('{"offset": "7"}'))).toBe(7);
  });

  // test_invalid_page_tokens, plus offsets MLflow would turn into a server error.
  it.each([
    [btoa("{}"), "Invalid page token, parsed value={}"],
    [btoa('{"offset": "a"}'), "Invalid page token, not stringable a"],
    [btoa('{"offsoot": 7}'), "Invalid page token, parsed value="],
    [btoa("not json"), "Invalid page token, decoded value=not json"],
    ["not base64", "Invalid page token, could not base64-decode"],
    [btoa('{"offset": -1}'), "Invalid page token, not stringable -1"],
    [btoa('{"offset": 1.5}'), "Invalid page token, not stringable 1.5"],
    [btoa("[1]"), "Invalid page token, parsed value=[1]"],
  ])("refuses %s", (token, message) => {
    expect(() => decodeMlflowPageToken(token)).toThrow(MlflowFilterError);
    expect(() => decodeMlflowPageToken(token)).toThrow(message);
  });

  it("refuses to encode a negative or fractional offset", () => {
    expect(() => encodeMlflowPageToken(-1)).toThrow(RangeError);
    expect(() => encodeMlflowPageToken(0.5)).toThrow(RangeError);
  });
});
