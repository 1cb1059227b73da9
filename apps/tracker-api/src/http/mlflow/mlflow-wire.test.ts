import type { IncomingMessage, ServerResponse } from "node:http";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { invalidParameter } from "./mlflow-error.ts";
import { mlflowRunId, parseRunId } from "./mlflow-ids.ts";
import { mlflowToken, sendMlflowError } from "./mlflow-request.ts";
import { posixNormpath, validateEntityName } from "./mlflow-validation.ts";
import { fieldsFromQuery, stringList } from "./request-fields.ts";
import { doubleFromWire, doubleToWire, int64FromWire } from "./wire-numbers.ts";

function capture() {
  const sent: { status: number; body: unknown } = { status: 0, body: null };
  const res = {
    headersSent: false,
    writeHead(status: number) {
      sent.status = status;
      return res;
    },
    end(text: string) {
      sent.body = JSON.parse(text);
    },
  };
  return { res: res as unknown as ServerResponse, sent };
}

const request = (authorization?: string) => ({ headers: { authorization } }) as unknown as IncomingMessage;

describe("MLflow wire details", () => {
  it("writes NaN and the infinities as protobuf's JSON strings and reads them back", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5].map(doubleToWire)).toEqual([
      "NaN",
      "Infinity",
      "-Infinity",
      0.5,
    ]);
    expect(doubleFromWire("NaN")).toBeNaN();
    expect(doubleFromWire("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(doubleFromWire("1e-3")).toBe(0.001);
    expect(doubleFromWire("high")).toBeNull();
    expect(int64FromWire("1764000000000")).toBe(1_764_000_000_000);
    expect(int64FromWire(1.5)).toBeNull();
  });

  it("reads GET fields as MLflow's server does: repeated and bracketed keys are lists", () => {
    const fields = fieldsFromQuery(
      new URLSearchParams("experiment_ids=1&experiment_ids=2&order_by[]=name&x=3"),
    );
    expect(fields).toEqual({ experiment_ids: ["1", "2"], order_by: ["name"], x: "3" });
    expect(stringList(fieldsFromQuery(new URLSearchParams("experiment_ids=7")), "experiment_ids")).toEqual([
      "7",
    ]);
  });

  it("takes the token from Bearer auth or from Basic auth's password", () => {
    expect(mlflowToken(request("Bearer lt_user_abc"))).toBe("lt_user_abc");
    expect(mlflowToken(request(`Basic ${Buffer.from("ann:lt_user_abc").toString("base64")}`))).toBe(
      "lt_user_abc",
    );
    expect(mlflowToken(request(`Basic ${Buffer.from("ann:").toString("base64")}`))).toBeNull();
    expect(mlflowToken(request())).toBeNull();
  });

  it("answers MLflow errors with their code and status, and a real fault with 500 and no details", () => {
    const bad = capture();
    sendMlflowError(bad.res, invalidParameter("metrics: bad"), pino({ level: "silent" }));
    expect(bad.sent).toEqual({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: "metrics: bad" },
    });
    const fault = capture();
    sendMlflowError(
      fault.res,
      new Error('relation "metric_points" does not exist: INSERT INTO ...'),
      pino({ level: "silent" }),
    );
    expect(fault.sent).toEqual({
      status: 500,
      body: { error_code: "INTERNAL_ERROR", message: "Internal server error" },
    });
  });

  it("accepts run ids with or without dashes and answers them as 32 hex digits", () => {
    const id = "8d0f6a3e-1c2b-4d5e-8f90-a1b2c3d4e5f6";
    expect(parseRunId("8D0F6A3E1C2B4D5E8F90A1B2C3D4E5F6")).toBe(id);
    expect(parseRunId(id)).toBe(id);
    expect(parseRunId("8d0f6a3e")).toBeNull();
    expect(mlflowRunId(id)).toBe("8d0f6a3e1c2b4d5e8f90a1b2c3d4e5f6");
  });

  it("checks names as MLflow's validation.py (characters, and no path that resolves elsewhere)", () => {
    expect(posixNormpath("a//b/./c/..")).toBe("a/b");
    expect(() => validateEntityName("metric", "val/loss")).not.toThrow();
    expect(() => validateEntityName("metric", "a/../b")).toThrow(/would resolve to 'b'/);
    expect(() => validateEntityName("tag", "x*y")).toThrow(/Invalid tag name: 'x\*y'/);
  });
});
