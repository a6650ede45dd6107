// The SMTP password at rest: AES-256-GCM under a key derived from the client secret, bound to the shop.
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, SecretUnreadableError } from "~/lib/secrets.server";

const SECRET = "client-secret-1";
const SHOP = "a.myshopify.com";

describe("secrets at rest", () => {
  it("round-trips, with a fresh IV each time, and never holds the plain text", () => {
    const a = encryptSecret("pässwörd 🔑", SHOP, SECRET);
    const b = encryptSecret("pässwörd 🔑", SHOP, SECRET);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("pässwörd");
    expect(decryptSecret(a, SHOP, SECRET)).toBe("pässwörd 🔑");
    expect(decryptSecret(encryptSecret("", SHOP, SECRET), SHOP, SECRET)).toBe("");
  });
  it.each([
    ["another shop", (v: string) => decryptSecret(v, "b.myshopify.com", SECRET)],
    ["another client secret", (v: string) => decryptSecret(v, SHOP, "client-secret-2")],
    ["a changed byte", (v: string) => decryptSecret(v.slice(0, -2) + (v.endsWith("A") ? "BB" : "AA"), SHOP, SECRET)],
    ["no version", (v: string) => decryptSecret(v.slice(3), SHOP, SECRET)],
    ["too short", () => decryptSecret("v1:AAAA", SHOP, SECRET)],
  ])("refuses %s", (_name, read) => {
    const stored = encryptSecret("pw", SHOP, SECRET);
    expect(() => read(stored)).toThrow(SecretUnreadableError);
  });
});
