import { describe, expect, it } from "vitest";
import { formatS3Url, parseS3Url } from "./s3-location.ts";

describe("parseS3Url", () => {
  it("reads a bucket and a prefix that ends in '/'", () => {
    expect(parseS3Url("s3://labtrack/artifacts", "f")).toEqual({ bucket: "labtrack", prefix: "artifacts/" });
    expect(parseS3Url("s3://labtrack//a/b/", "f")).toEqual({ bucket: "labtrack", prefix: "a/b/" });
    expect(parseS3Url("s3://labtrack", "f")).toEqual({ bucket: "labtrack", prefix: "" });
    expect(parseS3Url("s3://my.bucket-1/", "f")).toEqual({ bucket: "my.bucket-1", prefix: "" });
  });
  it.each([
    ["/data/x", /does not start with s3:\/\//],
    ["s3://", /is not a bucket name/],
    ["s3://ab/x", /'ab' is not a bucket name/],
    ["s3://Upper/x", /'Upper' is not a bucket name/],
    ["s3://bucket/a/../b", /'\.\.' segments/],
  ])("refuses %s, naming the field", (text, message) => {
    expect(() => parseS3Url(text, "LABTRACK_ARTIFACT_STORE")).toThrow(/^LABTRACK_ARTIFACT_STORE: /);
    expect(() => parseS3Url(text, "LABTRACK_ARTIFACT_STORE")).toThrow(message);
  });
  it("formats back", () => {
    expect(formatS3Url({ bucket: "b-1", prefix: "x/" }, "k")).toBe("s3://b-1/x/k");
  });
});
