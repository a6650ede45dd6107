// The pure WhatsApp rules: numbers in wa_id form, what a reply means, a notice's template
// parameters, Meta's signature check, and the stand-in's JSON encoding that the signature covers.
import { describe, expect, it } from "vitest";
import { metaJson, metaSignature as standInSignature } from "../../devstore/whatsapp/index.ts";
import { buttonTitle, commandOf, normalisePhone, phoneNumberIdsOf, REPLIES, templateParameterNames, templateParameters } from "~/domain/whatsapp";
import { metaSignature, verifyMetaSignature } from "~/lib/meta-signature.server";
import { isWebhookRequest } from "../../server/webhooks";

describe("normalisePhone", () => {
  it.each([
    ["+49 151 2345678", "491512345678"],
    ["0049 (151) 234-5678", "491512345678"],
    ["+1 650.555.1234", "16505551234"],
    ["0151 2345678", null], // national: no country
    ["+49 151 abc", null],
    ["+0 1234567", null],
    ["+1234567", null], // too short
    ["+1234567890123456", null], // too long
    ["", null],
    [null, null],
  ])("%s → %s", (raw, want) => expect(normalisePhone(raw as string | null)).toBe(want));
});

describe("commandOf", () => {
  const text = (body: string) => ({ type: "text", text: { body } });
  it.each([
    ["Punkte", { kind: "points", lang: "de" }],
    ["  points! ", { kind: "points", lang: "en" }],
    ["Check points", { kind: "points", lang: "en" }],
    ["Meine Prämien", { kind: "rewards", lang: "de" }],
    ["my rewards", { kind: "rewards", lang: "en" }],
    ["EINLÖSEN", { kind: "redeem", lang: "de" }],
    ["Redeem", { kind: "redeem", lang: "en" }],
    ["JA", { kind: "yes", lang: "de" }],
    ["yes.", { kind: "yes", lang: "en" }],
    ["nein", { kind: "no", lang: "de" }],
    ["STOP", { kind: "stop", lang: "en" }],
    ["Stopp", { kind: "stop", lang: "de" }],
    ["abmelden", { kind: "stop", lang: "de" }],
    ["hello", { kind: "unknown" }],
    ["stop it please", { kind: "unknown" }],
  ])("%s", (body, want) => expect(commandOf(text(body))).toEqual(want));

  it("reads our buttons by id and a template's quick reply by payload or text", () => {
    expect(commandOf({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "sk:yes", title: "JA" } } })).toEqual({ kind: "yes", lang: null });
    expect(commandOf({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "sk:reward:42", title: "€5 off" } } })).toEqual({ kind: "choose", rewardId: 42 });
    expect(commandOf({ type: "button", button: { payload: "sk:points", text: "Check points" } })).toEqual({ kind: "points", lang: null });
    expect(commandOf({ type: "button", button: { payload: "whatever", text: "Punkte prüfen" } })).toEqual({ kind: "points", lang: "de" });
    expect(commandOf({ type: "image" })).toEqual({ kind: "unknown" });
  });
});

describe("templateParameters", () => {
  it("first name, then the kind's variables in order; empty → '-', no line breaks or long runs of spaces", () => {
    expect(templateParameterNames("tier_up")).toEqual(["firstName", "tier", "previousTier", "points"]);
    expect(templateParameters("tier_up", { firstName: "Jana", tier: "Gold", previousTier: null, points: "1.000" }).map((p) => p.text)).toEqual(["Jana", "Gold", "-", "1.000"]);
    expect(templateParameters("welcome", { firstName: "A\nB\tC", points: "x      y" }).map((p) => p.text)).toEqual(["A B C", "x    y"]);
  });
});

describe("Meta's signature", () => {
  const secret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  it("verifies Meta's escaped bytes, refuses anything else", () => {
    const body = metaJson({ text: { body: "Prämie für dich / 5 €" } });
    expect(body).toContain("Pr\\u00e4mie f\\u00fcr dich \\/ 5 \\u20ac");
    expect(JSON.parse(body)).toEqual({ text: { body: "Prämie für dich / 5 €" } });
    const sig = standInSignature(body, secret);
    expect(sig).toBe(metaSignature(body, secret));
    expect(verifyMetaSignature(body, sig, secret)).toBe(true);
    expect(verifyMetaSignature(body, sig.toUpperCase().replace("SHA256=", "sha256="), secret)).toBe(true);
    expect(verifyMetaSignature(JSON.stringify(JSON.parse(body)), sig, secret)).toBe(false);
    expect(verifyMetaSignature(body, sig, "another-secret")).toBe(false);
    for (const bad of [null, "", "sha256=", "sha1=" + "a".repeat(40), sig.slice(0, -2), `${sig}00`, "sha256=" + "z".repeat(64)]) expect(verifyMetaSignature(body, bad, secret)).toBe(false);
  });

  it("phoneNumberIdsOf finds every phone number id of a delivery, and none in junk", () => {
    const body = { entry: [{ changes: [{ value: { metadata: { phone_number_id: "1" } } }, { value: { metadata: { phone_number_id: "2" } } }] }, { changes: [{ value: { metadata: { phone_number_id: "1" } } }] }] };
    expect(phoneNumberIdsOf(body)).toEqual(["1", "2"]);
    expect(phoneNumberIdsOf(null)).toEqual([]);
    expect(phoneNumberIdsOf({ entry: "x" })).toEqual([]);
  });
});

describe("replies", () => {
  it("button titles fit Meta's 20 characters; texts exist in both languages", () => {
    expect(buttonTitle("10 % Rabatt auf alles im Shop")).toHaveLength(20);
    expect(buttonTitle("€5 off")).toBe("€5 off");
    for (const lang of ["en", "de"] as const) {
      for (const b of [...REPLIES.buttons(lang), ...REPLIES.confirmButtons(lang)]) expect([...b.title].length).toBeLessThanOrEqual(20);
      expect(REPLIES.balance(lang, "Laden", 1200, 0)).toContain(lang === "de" ? "1.200 Punkte" : "1,200 points");
    }
  });
});

describe("the server's lean Shopify webhook path", () => {
  it("leaves Meta's WhatsApp webhook to its route", () => {
    expect(isWebhookRequest({ method: "POST", url: "/webhooks/orders/paid" })).toBe(true);
    expect(isWebhookRequest({ method: "POST", url: "/webhooks/whatsapp" })).toBe(false);
    expect(isWebhookRequest({ method: "POST", url: "/webhooks/whatsapp?x=1" })).toBe(false);
    expect(isWebhookRequest({ method: "POST", url: "/webhooks/whatsapp-other" })).toBe(true);
    expect(isWebhookRequest({ method: "GET", url: "/webhooks/whatsapp" })).toBe(false);
  });
});
