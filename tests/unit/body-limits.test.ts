import { describe, expect, it } from "vitest";
import { API_BODY_LIMIT, checkBody, DEFAULT_BODY_LIMIT, UPLOAD_BODY_LIMIT } from "../../server/limits";

const req = (url: string, headers: Record<string, string>) => ({ url, method: "POST", headers });

describe("request body limits", () => {
  it("lets declared bodies within the limit through", () => {
    expect(checkBody(req("/proxy/rewards?x=1", { "content-length": "120" }))).toBeNull();
    expect(checkBody(req("/app/import", { "content-length": String(50 * 1024 * 1024) }))).toBeNull();
    expect(checkBody({ url: "/app", method: "GET", headers: {} })).toBeNull();
  });
  it("turns away bodies over the limit with 413, before reading them", () => {
    expect(checkBody(req("/proxy/rewards", { "content-length": String(DEFAULT_BODY_LIMIT + 1) }))?.status).toBe(413);
    expect(checkBody(req("/app/import", { "content-length": String(UPLOAD_BODY_LIMIT + 1) }))?.status).toBe(413);
    expect(checkBody(req("/app/importer", { "content-length": String(DEFAULT_BODY_LIMIT + 1) }))?.status).toBe(413);
  });
  it("holds the merchant API to small JSON bodies (64 KB)", () => {
    expect(checkBody(req("/api/v1/members/1/adjustments", { "content-length": String(API_BODY_LIMIT) }))).toBeNull();
    expect(checkBody(req("/api/v1/members/1/adjustments", { "content-length": String(API_BODY_LIMIT + 1) }))?.status).toBe(413);
    expect(checkBody(req("/api/v1?x", { "content-length": String(API_BODY_LIMIT + 1) }))?.status).toBe(413);
    expect(checkBody(req("/api/v10", { "content-length": String(API_BODY_LIMIT + 1) }))).toBeNull();
  });
  it("asks bodies of unknown length to declare it (411)", () => {
    expect(checkBody(req("/proxy/rewards", { "transfer-encoding": "chunked" }))?.status).toBe(411);
    expect(checkBody(req("/proxy/rewards", { "content-length": "lots" }))?.status).toBe(411);
  });
});
