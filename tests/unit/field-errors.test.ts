// Issue #9: the merchant's form errors in English and German. Field errors are `errors.*` locale keys
// (app/domain/errors.ts) that the admin's actions translate; this file fails when a schema or a form
// gains an English literal, when a key lacks its German text, and when invalid input yields anything
// but a key.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { brandingSchema } from "~/domain/branding";
import { blankCampaignForm, formToCampaign } from "~/domain/campaign-form";
import { decodeFieldError, fe, fieldErrorCode, fieldErrorMap } from "~/domain/errors";
import { applyPreset, presetDefaults } from "~/domain/presets";
import { defaultProgram, parseProgram, ProgramConfigError } from "~/domain/program";
import { formToProgram, programToForm } from "~/domain/program-form";
import { blankRewardForm, formToReward, REWARD_TYPES } from "~/domain/reward-form";
import { LOCALES, localizeFieldError, localizeFieldErrors, translate, type MessageKey } from "~/lib/i18n";
import { validateSmtp } from "~/models/messaging.server";
import { validateWhatsApp } from "~/models/whatsapp.server";

const ROOT = join(__dirname, "..", "..");
/** JSON for developers (the API, Flow's actions) keeps English messages, docs/api.md. */
const DEVELOPER_FACING = new Set(["app/domain/flow-actions.ts", "app/models/flow-actions.server.ts", "app/models/api.server.ts"]);
const en = LOCALES.en as Record<string, string>;
const de = LOCALES.de as Record<string, string>;

/** Where the merchant's field errors are written: the domain, the models, the admin's routes. */
function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const dir of ["app/domain", "app/models", "app/routes"]) {
    for (const name of readdirSync(join(ROOT, dir))) {
      if (dir === "app/routes" && !name.startsWith("app.")) continue; // the API, Flow, the storefront: not the merchant's admin
      if (DEVELOPER_FACING.has(`${dir}/${name}`)) continue;
      if (!/\.tsx?$/.test(name)) continue;
      out.push({ file: `${dir}/${name}`, text: readFileSync(join(ROOT, dir, name), "utf8") });
    }
  }
  return out;
}

/** The text inside the parentheses opened at `open` (balanced; strings are skipped). */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** The string literals in a piece of code, in order ("…", '…', `…`). */
function literals(code: string): Array<{ quote: string; text: string }> {
  const out: Array<{ quote: string; text: string }> = [];
  for (let i = 0; i < code.length; i++) {
    const quote = code[i]!;
    if (quote !== '"' && quote !== "'" && quote !== "`") continue;
    let j = i + 1;
    while (j < code.length && code[j] !== quote) j += code[j] === "\\" ? 2 : 1;
    out.push({ quote, text: code.slice(i + 1, j) });
    i = j;
  }
  return out;
}

/** English prose: a capital letter and a small one first, or two words (codes are "label.required", "url_https"). */
const isProse = (literal: string) => !literal.startsWith("errors.") && (/^[A-Z][a-z]/.test(literal) || /[a-z]+ [a-z]+/i.test(literal));

/** Every string literal that a zod check, an addIssue or a field-error assignment passes as the message. */
function englishMessages(file: string, text: string): string[] {
  const found: string[] = [];
  const check = (where: string, args: string) => {
    // a key's parameters (fe("errors.gid", { type: "Product" })) are not messages
    for (const { quote, text: literal } of literals(args.replace(/\bfe\((?:[^()]|\([^()]*\))*\)/g, "fe()"))) {
      const words = quote === "`" ? literal.replace(/\$\{[^}]*\}/g, "x") : literal;
      if (isProse(words)) found.push(`${file}: ${where}: ${literal}`);
    }
  };
  // zod checks with a message: .min(1, "…"), .int("…"), .regex(/…/, "…"), .refine(fn, "…"), z.number({ message: "…" })
  const CHECKS = /\.(min|max|gt|gte|lt|lte|length|int|positive|negative|nonnegative|nonpositive|finite|multipleOf|regex|refine|email|url|uuid|nonempty|startsWith|endsWith|includes|datetime)\(/g;
  for (const m of text.matchAll(CHECKS)) {
    const args = argumentsAt(text, m.index! + m[0].length - 1);
    // the message is the last argument; a function body (refine's predicate) is not scanned
    const last = args.split(/,(?![^(]*\))/).pop() ?? "";
    if (m[1] === "refine" || m[1] === "regex") check(`.${m[1]}(…)`, last);
    else check(`.${m[1]}(…)`, args);
  }
  for (const m of text.matchAll(/\bz\.\w+\(\{[^}]*\bmessage:[^}]*\}/g)) check("z.…({ message })", m[0]);
  for (const m of text.matchAll(/addIssue\(\{[^}]*\}/g)) check("addIssue", m[0]);
  for (const m of text.matchAll(/\{ message: [^}]*\}/g)) if (/errorMap|ZodErrorMap/.test(text)) check("errorMap", m[0]);
  // errors.field = "…", errors[field] ??= `…`, fieldErrors: { field: "…" }, new …Error({ field: "…" })
  for (const m of text.matchAll(/\b(?:errors|fieldErrors|e)(?:\.[\w]+|\[[^\]\n]+\])\s*(?:\?\?)?=(?!=)\s*([^;\n]+)/g)) check("assignment", m[1]!);
  for (const m of text.matchAll(/fieldErrors: \{([^{}\n]*)\}/g)) check("fieldErrors: {…}", m[1]!);
  for (const m of text.matchAll(/new \w+(?:Assign|Settings|Config)Error\(\{([^{}\n]*)\}/g)) check("new …Error({…})", m[1]!);
  return found;
}

describe("no English literal as a merchant's field error", () => {
  it("the scan finds the kinds of literal it is meant to catch", () => {
    const planted = [
      `z.number().int().positive("Must be greater than 0")`,
      `z.string().max(64, \`Must be at most \${max} characters\`)`,
      `z.string().regex(/^[a-z]+$/, "Use lowercase letters")`,
      `z.string().refine((s) => s.trim().length > 0, "Must not be empty")`,
      `ctx.addIssue({ code: "custom", path: ["x"], message: "Lists a day twice" })`,
      `errors.tiers = \`No tier has the id "\${id}"\`;`,
      `errors[field] ??= "Must be a number";`,
      `return json({ ok: false, fieldErrors: { preset: "Choose a preset" } }, 400);`,
      `throw new TierAssignError({ tierId: "Tiers are turned off" });`,
      `z.number({ message: "must be a number" })`,
    ];
    for (const line of planted) expect(englishMessages("planted.ts", line), line).toHaveLength(1);
    // keys, codes and regular expressions are not messages
    const fine = [
      `z.number().int(fe("errors.whole")).positive(fe("errors.gt0"))`,
      `z.string().regex(/^[A-Z0-9-]{0,12}$/, fe("errors.codePrefix"))`,
      `fieldErrors.label = "label.required";`,
      `errors.events = "events_required";`,
      `z.enum(["right", "left"])`,
    ];
    for (const line of fine) expect(englishMessages("fine.ts", line), line).toEqual([]);
  });

  it("app/domain, app/models and the admin's routes pass locale keys, never English text", () => {
    const found = sources().flatMap(({ file, text }) => englishMessages(file, text));
    expect(found).toEqual([]);
  });
});

describe("the errors.* keys", () => {
  const keys = Object.keys(en).filter((k) => k.startsWith("errors."));

  it("every key used in the code exists, and every key is used", () => {
    const used = new Set(sources().flatMap(({ text }) => [...text.matchAll(/"(errors\.[\w.]+)"/g)].map((m) => m[1]!)));
    for (const m of readFileSync(join(ROOT, "app/domain/errors.ts"), "utf8").matchAll(/"(errors\.[\w.]+)"/g)) used.add(m[1]!);
    for (const k of used) expect(en[k], k).toBeDefined();
    for (const k of keys) expect(used.has(k), `${k} is not used`).toBe(true);
  });

  it("German differs from English wherever the English has words", () => {
    for (const k of keys) {
      const words = en[k]!.replace(/\{\w+\}/g, "").match(/[A-Za-z]{3,}/g) ?? [];
      if (words.length === 0) continue; // "{path}: {message}"
      expect(de[k], k).not.toBe(en[k]);
    }
  });
});

/** Every message must be a key with both languages; returns the German texts. */
function allKeys(errors: Record<string, string>): Record<string, string> {
  expect(Object.keys(errors).length).toBeGreaterThan(0);
  for (const [field, message] of Object.entries(errors)) {
    const decoded = decodeFieldError(message);
    expect(decoded, `${field}: ${message}`).not.toBeNull();
    expect(en[decoded!.key], `${field}: ${message}`).toBeDefined();
  }
  return localizeFieldErrors("de", errors);
}

function programErrors(input: unknown): Record<string, string> {
  try {
    parseProgram(input);
  } catch (error) {
    if (error instanceof ProgramConfigError) return error.fieldErrors;
    throw error;
  }
  throw new Error("expected errors");
}

describe("invalid input yields keys, rendered in German", () => {
  it("a program broken in every section", () => {
    const p = defaultProgram() as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    p.enabled = "yes";
    p.stacking = "max";
    p.purchase.pointsPerUnit = 1.5;
    p.purchase.minimumOrderMinor = -1;
    p.purchase.pending = { mode: "days", days: 0 };
    p.purchase.excludedProductIds = ["123"];
    p.actions.signup.points = 0;
    p.actions.review.texts.de.title = " ";
    p.actions.social.enabled = true;
    p.tiers = { ...p.tiers, enabled: true, levels: [] };
    p.caps.perRule = { nonsense: { max: 1, period: "day" } };
    p.unknownThing = 1;
    const errors = programErrors(p);
    const german = allKeys(errors);
    expect(german).toMatchObject({
      enabled: "Muss wahr oder falsch sein",
      stacking: "Muss einer dieser Werte sein: highest, add, multiply",
      "purchase.pointsPerUnit": "Muss eine ganze Zahl sein",
      "purchase.minimumOrderMinor": "Darf nicht negativ sein",
      "purchase.pending.days": "Halten Sie Punkte mindestens 1 Tag zurück oder wählen Sie keine Wartezeit",
      "purchase.excludedProductIds.0": "Muss eine Product-ID wie gid://shopify/Product/123 sein",
      "actions.signup.points": "Muss größer als 0 sein",
      "actions.review.texts.de.title": "Darf nicht leer sein",
      "tiers.levels": "Legen Sie mindestens eine Stufe an oder schalten Sie die Stufen aus",
      "caps.perRule.nonsense": expect.stringMatching(/^Unbekannte Regel „nonsense“; verwenden Sie eine von /),
      unknownThing: "Unbekannte Einstellung „unknownThing“",
    });
    expect(localizeFieldErrors("en", errors)["actions.signup.points"]).toBe("Must be greater than 0");
    // the exception's text (logs) stays English
    expect(() => parseProgram(p)).toThrow(/actions\.signup\.points: Must be greater than 0/);
  });

  it("the rewards form, for every reward type", () => {
    for (const type of REWARD_TYPES) {
      const f = { ...blankRewardForm(type), pointsCost: "0", "texts.en.title": "", amount: "x", percent: "500", variantId: "1", minUnits: "0", "cause.en": "", codePrefix: "no spaces", tiers: "vip" };
      const german = allKeys(formToReward(f, "EUR", []).fieldErrors);
      expect(german.pointsCost, type).toBe("Muss größer als 0 sein");
      expect(german.tiers, type).toBe("Keine Stufe hat die ID „vip“");
    }
    const f = { ...blankRewardForm("amount"), amount: "abc", "texts.de.title": "x", "texts.en.title": "x" };
    expect(localizeFieldErrors("de", formToReward(f, "EUR", []).fieldErrors)).toEqual({ amount: "Muss ein Betrag wie 30.00 sein" });
  });

  it("the program, campaign and onboarding forms", () => {
    const form = { ...programToForm(defaultProgram(), "EUR"), "purchase.pointsPerUnit": "-1", "purchase.minimumOrder": "zwei", "actions.signup.points": "0", "actions.social.enabled": "on" };
    expect(allKeys(formToProgram(defaultProgram(), form, "EUR").fieldErrors)).toMatchObject({
      "purchase.pointsPerUnit": "Darf nicht negativ sein",
      "purchase.minimumOrder": "Muss ein Betrag wie 30.00 sein",
      "actions.signup.points": "Muss größer als 0 sein",
    });
    const c = { ...blankCampaignForm(), id: "Bad Id", "window.startDate": "2026-13-01", "window.startTime": "25:00", "effect.type": "multiplier", "effect.factor": "1.23456" };
    expect(allKeys(formToCampaign(defaultProgram(), null, c, "EUR").fieldErrors)).toMatchObject({
      id: "Verwenden Sie Kleinbuchstaben, Ziffern und einzelne Bindestriche, z. B. double-points-monday",
      "window.startDate": "Muss ein Datum im Format JJJJ-MM-TT sein",
      "effect.factor": "Höchstens 4 Nachkommastellen",
    });
    const preset = applyPreset(defaultProgram(), "points", { ...presetDefaults("points", "EUR"), pointsPerUnit: "0", rewardAmount: "-5", rewardPoints: "1.5" }, "EUR", { enabled: true });
    expect(allKeys(preset.fieldErrors)).toMatchObject({ pointsPerUnit: "Muss mindestens 1 sein", rewardAmount: "Muss größer als 0 sein" });
  });

  it("branding, SMTP and WhatsApp settings", () => {
    const b = brandingSchema.safeParse({ accentColor: "red", textColor: "#fff", position: "top", launcherStyle: "label", cornerRadius: 99 }, { errorMap: fieldErrorMap });
    expect(b.success).toBe(false);
    const errors = Object.fromEntries(b.error!.issues.map((i) => [String(i.path[0]), i.message]));
    expect(allKeys(errors)).toEqual({
      accentColor: "Muss eine Farbe wie #1f5130 sein",
      textColor: "Muss eine Farbe wie #1f5130 sein",
      position: "Muss einer dieser Werte sein: right, left",
      cornerRadius: "Darf höchstens 24 sein",
    });
    expect(allKeys(validateSmtp({ host: "", port: "0", secure: false }))).toEqual({ host: "Geben Sie den Hostnamen des SMTP-Servers ein", port: "Muss ein Port von 1 bis 65535 sein" });
    expect(allKeys(validateWhatsApp({ phoneNumberId: "abc", baseUrl: "http://example.com", apiVersion: "23" }))).toEqual({
      phoneNumberId: "Muss die Telefonnummer-ID aus dem WhatsApp Manager sein (Ziffern)",
      baseUrl: "Muss eine https-URL sein",
      apiVersion: "Muss wie v23.0 aussehen",
    });
  });
});

describe("encoding", () => {
  it("a key with parameters round-trips, and a parameter may itself be a field error", () => {
    const m = fe("errors.maxChars", { max: 64 });
    expect(decodeFieldError(m)).toEqual({ key: "errors.maxChars", vars: { max: 64 } });
    expect(fieldErrorCode(m)).toBe("maxChars");
    expect(localizeFieldError("de", m)).toBe("Darf höchstens 64 Zeichen lang sein");
    expect(localizeFieldError("de", fe("errors.otherSetting", { path: "purchase.rounding", message: fe("errors.gt0") }))).toBe("purchase.rounding: Muss größer als 0 sein");
  });
  it("free text (an SMTP server's answer) and unknown keys stay as they are", () => {
    expect(localizeFieldError("de", "535 Authentication failed")).toBe("535 Authentication failed");
    expect(localizeFieldError("de", "errors.noSuchKey")).toBe("errors.noSuchKey");
    expect(localizeFieldError("de", 'errors.max{"max":')).toBe('errors.max{"max":');
    expect(translate("de", "errors.gt0" as MessageKey)).toBe("Muss größer als 0 sein");
  });
});
