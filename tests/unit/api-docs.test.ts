// docs/api.md and docs/openapi.json describe every /api/v1 route file, and nothing that isn't one.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** "api.v1.members.$id.entries.tsx" → "/members/{member}/entries" */
const pathOf = (file: string) =>
  "/" +
  file
    .replace(/^api\.v1\./, "")
    .replace(/\.tsx$/, "")
    .split(".")
    .filter((p) => p !== "_index")
    .map((p) => (p.startsWith("$") ? "{member}" : p))
    .join("/");

const routes = readdirSync("app/routes").filter((f) => f.startsWith("api.v1."));
const spec = JSON.parse(readFileSync("docs/openapi.json", "utf8")) as { paths: Record<string, Record<string, { "x-scope"?: string }>> };
const prose = readFileSync("docs/api.md", "utf8");

describe("the API's documentation", () => {
  it("OpenAPI lists exactly the route files", () => {
    expect(Object.keys(spec.paths).sort()).toEqual(routes.map(pathOf).sort());
  });
  it("every operation names its scope: read for GET, write for POST", () => {
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) expect(op["x-scope"], `${method} ${path}`).toBe(method === "get" ? "read" : "write");
    }
  });
  it("docs/api.md has a section for every endpoint", () => {
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops)) expect(prose, `${method} ${path}`).toContain(`${method.toUpperCase()} /api/v1${path}`);
    }
  });
});
