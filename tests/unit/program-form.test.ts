import { describe, expect, it } from "vitest";
import { defaultProgram } from "~/domain/program";
import { formToProgram, previewPurchase, programToForm } from "~/domain/program-form";
import { localizeFieldErrors } from "~/lib/i18n";

const english = (errors: object): Record<string, string> => localizeFieldErrors("en", errors as Record<string, string>);

describe("program form", () => {
  it("round-trips a program through the form unchanged", () => {
    const p = defaultProgram();
    p.actions.social.enabled = true;
    p.actions.social.networks.instagram = { enabled: true, url: "https://instagram.com/shop" };
    p.referrals.enabled = true;
    p.purchase.minimumOrderMinor = 1250;
    const r = formToProgram(p, programToForm(p, "EUR"), "EUR");
    expect(english(r.fieldErrors)).toEqual({});
    expect(r.program).toEqual(p);
  });

  it("reads money in currency units, with a comma too", () => {
    const p = defaultProgram();
    const f = { ...programToForm(p, "EUR"), "purchase.minimumOrder": "12,50", "referrals.friendReward.value": "7.5" };
    const r = formToProgram(p, f, "EUR");
    expect(r.program?.purchase.minimumOrderMinor).toBe(1250);
    expect(r.program?.referrals.friendReward.value).toBe(750);
    expect(formToProgram(p, { ...f, "purchase.minimumOrder": "1000" }, "JPY").program?.purchase.minimumOrderMinor).toBe(1000);
  });

  it.each([
    ["purchase.pointsPerUnit", "abc", "Must be a number"],
    ["purchase.pointsPerUnit", "1.5", "Must be a whole number"],
    ["purchase.pointsPerUnit", "-1", "Must not be negative"],
    ["purchase.minimumOrder", "12.5x", "Must be an amount like 30.00"],
    ["purchase.minimumOrder", "-3", "Must not be negative"],
    ["actions.signup.points", "0", "Must be greater than 0"],
    ["referrals.returnWindowDays", "", "Must be a number"],
  ])("names the field: %s = %j", (field, value, message) => {
    const p = defaultProgram();
    const r = formToProgram(p, { ...programToForm(p, "EUR"), [field]: value }, "EUR");
    expect(r.program).toBeUndefined();
    expect(english(r.fieldErrors)[field]).toBe(message);
  });

  it("reports rules that span fields on the field the merchant must change", () => {
    const p = defaultProgram();
    const r = formToProgram(p, { ...programToForm(p, "EUR"), "actions.social.enabled": "on" }, "EUR");
    expect(english(r.fieldErrors)["actions.social.networks"]).toBe("Turn on at least one network, or turn off social follows");
  });

  it("keeps what the form doesn't show", () => {
    const p = defaultProgram();
    p.storefront.texts.de.launcherLabel = "Punkte";
    p.stacking = "add";
    const r = formToProgram(p, programToForm(p, "EUR"), "EUR");
    expect(r.program?.storefront.texts.de.launcherLabel).toBe("Punkte");
    expect(r.program?.stacking).toBe("add");
  });

  it("previews what a sample order earns, explained in the merchant's language", () => {
    const p = defaultProgram();
    p.purchase.pointsPerUnit = 2;
    const en = previewPurchase(p, "EUR", "en", 5000);
    expect(en.points).toBe(100);
    expect(en.lines.join("\n")).toContain("Total");
    const de = previewPurchase(p, "EUR", "de", 5000);
    expect(de.points).toBe(100);
    expect(de.lines.join("\n")).toContain("50,00");
    p.purchase.minimumOrderMinor = 6000;
    expect(previewPurchase(p, "EUR", "en", 5000).points).toBe(0);
    p.enabled = false;
    expect(previewPurchase(p, "EUR", "en", 5000).lines.join(" ")).toMatch(/paused/);
  });
});
