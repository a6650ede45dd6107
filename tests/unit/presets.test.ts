import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultProgram } from "~/domain/program";
import { applyPreset, presetDefaults, presetFields, PRESETS, type PresetForm, type PresetId } from "~/domain/presets";
import { APP_HANDLE, embedDeepLink, embedStateIn, LAUNCHER_EMBED, stripJsonComments } from "~/domain/theme-embed";
import { localizeFieldErrors } from "~/lib/i18n";

const english = (errors: object): Record<string, string> => localizeFieldErrors("en", errors as Record<string, string>);

const base = defaultProgram();
const apply = (preset: PresetId, patch: Partial<PresetForm> = {}, currency = "EUR", enabled = true) =>
  applyPreset(base, preset, { ...presetDefaults(preset, currency), ...patch }, currency, { enabled });

describe("onboarding presets", () => {
  it("every preset's defaults make a valid program and a first reward", () => {
    for (const preset of PRESETS) {
      const r = apply(preset);
      expect(english(r.fieldErrors), preset).toEqual({});
      expect(r.program?.enabled).toBe(true);
      expect(r.reward).toMatchObject({ type: "amount", amountMinor: 500, pointsCost: 500 });
      expect(r.reward?.texts).toEqual({ en: { title: "5.00 EUR off" }, de: { title: "5,00 EUR Rabatt" } });
    }
  });

  it.each([
    ["points", { purchase: true, rate: 1, signup: true, signupPoints: 100, referrals: false }],
    ["points-vip", { purchase: true, rate: 1, signup: true, signupPoints: 100, referrals: false }],
    ["referrals", { purchase: false, rate: 1, signup: false, signupPoints: 100, referrals: true }],
  ] as const)("%s sets up what it promises", (preset, want) => {
    const p = apply(preset).program!;
    expect(p.purchase.enabled).toBe(want.purchase);
    expect(p.purchase.pointsPerUnit).toBe(want.rate);
    expect(p.actions.signup.enabled).toBe(want.signup);
    expect(p.actions.signup.points).toBe(want.signupPoints);
    expect(p.referrals.enabled).toBe(want.referrals);
    // only the VIP preset switches tiers on: Bronze from 0, Silver, Gold, each higher than the last
    expect(p.tiers.enabled).toBe(preset === "points-vip");
    if (preset === "points-vip") expect(p.tiers.levels.map((l) => [l.id, l.threshold, l.multiplier])).toEqual([["bronze", 0, 1], ["silver", 500, 1.25], ["gold", 2000, 1.5]]);
  });

  it("takes the merchant's numbers", () => {
    const p = apply("points", { pointsPerUnit: "3", signupPoints: "250", rewardPoints: "1000", rewardAmount: "12,50" });
    expect(p.program?.purchase.pointsPerUnit).toBe(3);
    expect(p.program?.actions.signup.points).toBe(250);
    expect(p.reward).toMatchObject({ amountMinor: 1250, pointsCost: 1000 });
    const r = apply("referrals", { friendDiscount: "15", advocatePoints: "800" });
    expect(r.program?.referrals.friendReward).toMatchObject({ type: "amount", value: 1500 });
    expect(r.program?.referrals.advocateReward.points).toBe(800);
  });

  it("a welcome bonus of 0 switches the signup action off", () => {
    const p = apply("points", { signupPoints: "0" }).program!;
    expect(p.actions.signup.enabled).toBe(false);
    expect(p.actions.signup.points).toBe(base.actions.signup.points);
  });

  it("keeps what the onboarding doesn't show from the current program, and can save a switched-off draft", () => {
    const current = structuredClone(base);
    current.actions.birthday.enabled = true;
    current.purchase.minimumOrderMinor = 2000;
    const r = applyPreset(current, "points", presetDefaults("points", "EUR"), "EUR", { enabled: false });
    expect(r.program?.enabled).toBe(false);
    expect(r.program?.actions.birthday.enabled).toBe(true);
    expect(r.program?.purchase.minimumOrderMinor).toBe(2000);
  });

  it.each([
    ["points", { pointsPerUnit: "0" }, { pointsPerUnit: "Must be at least 1" }],
    ["points", { pointsPerUnit: "1.5" }, { pointsPerUnit: "Must be a whole number" }],
    ["points", { pointsPerUnit: "" }, { pointsPerUnit: "Must be a number" }],
    ["points", { signupPoints: "-5" }, { signupPoints: "Must be greater than 0" }],
    ["points", { rewardPoints: "abc" }, { rewardPoints: "Must be a whole number" }],
    ["points", { rewardPoints: "0" }, { rewardPoints: "Must be greater than 0" }],
    ["points", { rewardAmount: "fünf" }, { rewardAmount: "Must be an amount like 5.00" }],
    ["points", { rewardAmount: "0" }, { rewardAmount: "Must be greater than 0" }],
    ["referrals", { friendDiscount: "" }, { friendDiscount: "Must be an amount like 5.00" }],
    ["referrals", { advocatePoints: "0" }, { advocatePoints: "Must be greater than 0" }],
    ["points", { pointsPerUnit: "0", rewardAmount: "x" }, { pointsPerUnit: "Must be at least 1", rewardAmount: "Must be an amount like 5.00" }],
  ] as const)("%s with %j → per-field errors %j", (preset, patch, errors) => {
    const r = apply(preset, patch);
    expect(r.program).toBeUndefined();
    expect(r.reward).toBeUndefined();
    expect(english(r.fieldErrors)).toEqual(errors);
  });

  it("ignores the fields a preset doesn't show", () => {
    expect(english(apply("referrals", { pointsPerUnit: "nonsense", signupPoints: "x" }).fieldErrors)).toEqual({});
    expect(english(apply("points", { friendDiscount: "x", advocatePoints: "x" }).fieldErrors)).toEqual({});
    expect(presetFields("referrals")).toEqual(["friendDiscount", "advocatePoints", "rewardPoints", "rewardAmount"]);
  });

  it("uses the shop currency's minor units", () => {
    const r = apply("points", {}, "JPY");
    expect(presetDefaults("points", "JPY").rewardAmount).toBe("5");
    expect(r.reward).toMatchObject({ amountMinor: 5 });
  });
});

const header = `/*
 * ------------------------------------------------------------
 * IMPORTANT: The contents of this file are auto-generated.
 * ------------------------------------------------------------
 */
`;
const settings = (blocks: Record<string, unknown>) => `${header}${JSON.stringify({ current: { blocks, sections: {} }, presets: {} })}`;
const launcher = (disabled?: boolean) => ({ type: "shopify://apps/stammkunde/blocks/rewards-launcher/6f2c6a5e-1c2b-4a7e-9f1d-1234567890ab", ...(disabled === undefined ? {} : { disabled }), settings: {} });

describe("app embed state in settings_data.json", () => {
  it.each([
    ["on", settings({ "1234": launcher(false) })],
    ["on (no disabled key)", settings({ "1234": launcher() })],
    ["off (disabled)", settings({ "1234": launcher(true) })],
    ["off (never activated)", settings({ "9": { type: "shopify://apps/other-app/blocks/rewards-launcher/abc", disabled: false } })],
    ["off (another block of ours)", settings({ "9": { type: "shopify://apps/stammkunde/blocks/points-balance/abc", disabled: false } })],
    ["off (no blocks)", `${header}{"current":{}}`],
    ["on (current names a preset)", JSON.stringify({ current: "Default", presets: { Default: { blocks: { "1": launcher(false) } } } })],
    ["unknown (not JSON)", "<html>"],
    ["unknown (unterminated comment)", "/* oops"],
  ])("%s", (name, text) => {
    expect(embedStateIn(text)).toBe(name.split(" ")[0]);
  });

  it("is not fooled by comment markers inside strings", () => {
    const text = `${header}{"current":{"blocks":{"1":{"type":"shopify://apps/stammkunde/blocks/rewards-launcher/x","disabled":false,"settings":{"label":"a /* b */ c // d"}}}}}`;
    expect(JSON.parse(stripJsonComments(text)).current.blocks["1"].settings.label).toBe("a /* b */ c // d");
    expect(embedStateIn(text)).toBe("on");
  });

  it("builds the theme editor deep link that activates the launcher", () => {
    expect(embedDeepLink("laden.myshopify.com", "abc123")).toBe("https://laden.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=abc123/rewards-launcher");
  });

  it("names the app handle and embed that exist", () => {
    expect(readFileSync("shopify.app.toml", "utf8")).toMatch(new RegExp(`^handle = "${APP_HANDLE}"$`, "m"));
    expect(readFileSync(`extensions/stammkunde-theme/blocks/${LAUNCHER_EMBED}.liquid`, "utf8")).toMatch(/"target":\s*"body"/);
  });
});
