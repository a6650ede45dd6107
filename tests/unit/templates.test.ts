// Notice templates: variables, escaping, missing variables (visible in the preview, empty in mail),
// the built-in texts in both languages, notice variables per kind, quiet hours across DST.
import { describe, expect, it } from "vitest";
import { defaultMessaging, NOTICE_KINDS, parseProgram, defaultProgram } from "~/domain/program";
import {
  DEFAULT_TEMPLATES,
  KIND_VARIABLES,
  COMMON_VARIABLES,
  needsMarketingConsent,
  nextSendTime,
  noticeVariables,
  renderTemplate,
  sampleVariables,
  sendBackoffMs,
  templateFor,
  unknownVariables,
} from "~/domain/templates";

describe("renderTemplate", () => {
  const cases: Array<{ name: string; subject: string; body: string; vars: Record<string, string | number | null>; mode: "preview" | "send"; subjectOut: string; text: string; html: string; missing: string[] }> = [
    { name: "fills variables", subject: "Hi {{firstName}}", body: "You have {{ balance }} points", vars: { firstName: "Ana", balance: 12 }, mode: "send", subjectOut: "Hi Ana", text: "You have 12 points", html: "<p>You have 12 points</p>", missing: [] },
    { name: "escapes values and text in HTML only", subject: "{{firstName}}", body: "<b>{{firstName}}</b>", vars: { firstName: "<script>&" }, mode: "send", subjectOut: "<script>&", text: "<b><script>&</b>", html: "<p>&lt;b&gt;&lt;script&gt;&amp;&lt;/b&gt;</p>", missing: [] },
    { name: "missing variable is visible in the preview", subject: "{{code}}", body: "Code: {{code}}", vars: {}, mode: "preview", subjectOut: "[missing: code]", text: "Code: [missing: code]", html: "<p>Code: [missing: code]</p>", missing: ["code"] },
    { name: "missing variable is empty in sent mail", subject: "Your code {{code}}", body: "Code: {{code}}.", vars: { code: null }, mode: "send", subjectOut: "Your code", text: "Code: .", html: "<p>Code: .</p>", missing: ["code"] },
    { name: "paragraphs and line breaks", subject: "s", body: "a\nb\n\nc", vars: {}, mode: "send", subjectOut: "s", text: "a\nb\n\nc", html: "<p>a<br>b</p>\n<p>c</p>", missing: [] },
    { name: "a value cannot break the subject line", subject: "Hi {{firstName}}", body: "", vars: { firstName: "A\r\nBcc: x@y.z" }, mode: "send", subjectOut: "Hi A Bcc: x@y.z", text: "", html: "<p></p>", missing: [] },
    { name: "braces in a value are not expanded again", subject: "{{firstName}}", body: "{{firstName}}", vars: { firstName: "{{balance}}", balance: 5 }, mode: "send", subjectOut: "{{balance}}", text: "{{balance}}", html: "<p>{{balance}}</p>", missing: [] },
  ];
  it.each(cases)("$name", (c) => {
    const r = renderTemplate({ subject: c.subject, body: c.body }, c.vars, c.mode);
    expect(r.subject).toBe(c.subjectOut);
    expect(r.text).toBe(c.text);
    expect(r.html).toBe(c.html);
    expect(r.missing).toEqual(c.missing);
  });

  it("reports what is not a variable name", () => {
    const r = renderTemplate({ subject: "{{ 1x }}", body: "ok" }, {}, "preview");
    expect(r.invalid).toEqual(["{{ 1x }}"]);
    expect(r.subject).toBe("[invalid: {{ 1x }}]");
    expect(renderTemplate({ subject: "{{ 1x }}", body: "" }, {}, "send").subject).toBe("");
  });
});

describe("built-in templates", () => {
  it.each(NOTICE_KINDS.flatMap((k) => (["en", "de"] as const).map((l) => [k, l] as const)))("%s in %s uses only its variables and renders from the sample", (kind, lang) => {
    const t = DEFAULT_TEMPLATES[kind][lang];
    expect(unknownVariables(t, kind)).toEqual([]);
    const r = renderTemplate(t, sampleVariables(kind, "Laden", lang), "preview");
    expect(r.missing).toEqual([]);
    expect(r.subject.length).toBeGreaterThan(3);
  });

  it("German and English differ", () => {
    for (const k of NOTICE_KINDS) expect(DEFAULT_TEMPLATES[k].de.body).not.toBe(DEFAULT_TEMPLATES[k].en.body);
  });

  it("the merchant's template replaces the built-in one per language", () => {
    const s = defaultMessaging();
    s.templates.tier_up = { de: { subject: "Neu: {{tier}}", body: "x" } };
    expect(templateFor(s, "tier_up", "de").subject).toBe("Neu: {{tier}}");
    expect(templateFor(s, "tier_up", "en")).toEqual(DEFAULT_TEMPLATES.tier_up.en);
  });

  it("flags variables a kind doesn't offer", () => {
    expect(unknownVariables({ subject: "{{code}}", body: "{{tier}} {{firstName}}" }, "tier_up")).toEqual(["code"]);
    expect(KIND_VARIABLES.tier_up).toContain("tier");
    expect(COMMON_VARIABLES).toContain("firstName");
  });
});

describe("noticeVariables", () => {
  const member = { firstName: "Jana", balance: 1234 };
  it("tier names in the member's language, numbers formatted", () => {
    const p = { from: "silver", to: "gold", fromName: { en: "Silver", de: "Silber" }, toName: { en: "Gold", de: "Gold DE" }, entryRewardPoints: 0 };
    expect(noticeVariables("tier_up", p, member, "Laden", "de", "Europe/Berlin")).toMatchObject({ tier: "Gold DE", previousTier: "Silber", balance: "1.234", firstName: "Jana", shopName: "Laden" });
    expect(noticeVariables("tier_up", p, member, "Shop", "en", "Europe/Berlin")).toMatchObject({ tier: "Gold", previousTier: "Silver", balance: "1,234" });
  });
  it("dates as calendar dates in the member's language", () => {
    expect(noticeVariables("points_expiring", { points: 50, on: "2026-03-15", daysBefore: 3 }, member, "L", "de", "Europe/Berlin")).toMatchObject({ points: "50", date: "15.03.2026", days: "3" });
    expect(noticeVariables("points_expiring", { points: 50, on: "2026-03-15", daysBefore: 3 }, member, "L", "en", "Pacific/Honolulu")).toMatchObject({ date: "Mar 15, 2026" });
  });
  it("a tier going away names none", () => {
    const v = noticeVariables("tier_down", { from: "gold", to: null, fromName: { en: "Gold", de: "Gold" }, toName: null }, member, "L", "en", "UTC");
    expect(v.tier).toBeNull();
    expect(renderTemplate(DEFAULT_TEMPLATES.tier_down.en, v, "preview").missing).toEqual(["tier"]);
  });
});

describe("consent per kind", () => {
  it.each([
    ["welcome", true],
    ["points_earned", true],
    ["tier_up", false],
    ["points_expiring", false],
    ["reward_redeemed", false],
  ] as const)("%s needs marketing consent: %s", (kind, yes) => expect(needsMarketingConsent(kind)).toBe(yes));
});

describe("nextSendTime", () => {
  const q = { enabled: true, start: "22:00", end: "08:00" };
  const cases: Array<[string, string, typeof q, string, string]> = [
    ["outside: now", "2026-06-10T10:00:00Z", q, "Europe/Berlin", "2026-06-10T10:00:00.000Z"],
    ["evening: next morning", "2026-06-10T21:30:00Z", q, "Europe/Berlin", "2026-06-11T06:00:00.000Z"], // 23:30 CEST → 08:00 CEST
    ["after midnight: same morning", "2026-06-10T23:30:00Z", q, "Europe/Berlin", "2026-06-11T06:00:00.000Z"],
    ["exactly the end: now", "2026-06-11T06:00:00Z", q, "Europe/Berlin", "2026-06-11T06:00:00.000Z"],
    ["exactly the start: quiet", "2026-06-10T20:00:00Z", q, "Europe/Berlin", "2026-06-11T06:00:00.000Z"],
    ["over the spring-forward night", "2026-03-28T22:00:00Z", q, "Europe/Berlin", "2026-03-29T06:00:00.000Z"], // 23:00 CET → 08:00 CEST
    ["over the fall-back night", "2026-10-24T21:00:00Z", q, "Europe/Berlin", "2026-10-25T07:00:00.000Z"], // 23:00 CEST → 08:00 CET
    ["daytime window", "2026-06-10T12:00:00Z", { enabled: true, start: "12:00", end: "14:00" }, "UTC", "2026-06-10T14:00:00.000Z"],
    ["off", "2026-06-10T23:00:00Z", { ...q, enabled: false }, "UTC", "2026-06-10T23:00:00.000Z"],
    ["start equals end: none", "2026-06-10T23:00:00Z", { enabled: true, start: "08:00", end: "08:00" }, "UTC", "2026-06-10T23:00:00.000Z"],
    ["month end", "2026-01-31T23:00:00Z", q, "UTC", "2026-02-01T08:00:00.000Z"],
  ];
  it.each(cases)("%s", (_n, at, quiet, tz, want) => expect(new Date(nextSendTime(Date.parse(at), quiet, tz)).toISOString()).toBe(want));
});

describe("program messaging section", () => {
  it("a program stored before messaging parses with email off", () => {
    const old = defaultProgram() as Partial<ReturnType<typeof defaultProgram>>;
    delete old.messaging;
    expect(parseProgram(old).messaging).toEqual(defaultMessaging());
  });
  it("field errors for a bad sender and quiet hours", () => {
    const p = defaultProgram();
    p.messaging.channels.email.fromEmail = "not-an-email";
    p.messaging.quietHours.start = "25:00";
    expect(() => parseProgram(p)).toThrowError(/messaging\.channels\.email\.fromEmail.*|messaging\.quietHours\.start/);
  });
  it("backoff grows and is capped", () => {
    expect([1, 2, 3].map(sendBackoffMs)).toEqual([60_000, 120_000, 240_000]);
    expect(sendBackoffMs(30)).toBe(6 * 3_600_000);
  });
});
