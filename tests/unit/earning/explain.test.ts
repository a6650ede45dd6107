import { describe, expect, it } from "vitest";
import { explainPurchase } from "~/domain/explain";
import type { Campaign, Program } from "~/domain/program";
import { calculatePurchaseEarn } from "~/domain/purchase-earn";
import { campaign, ctx, line, order, program } from "./builders";

const NBSP = "\u00a0"; // Intl puts a no-break space between German amounts and the currency sign

const monday = campaign({ id: "monday", name: { en: "Monday campaign", de: "Montagsaktion" }, window: { weekdays: [1] } });

function explain(change: (p: Program) => void, lines = [line("1", 1000)], over: Parameters<typeof ctx>[0] = {}, currency = "EUR") {
  const p = program(change);
  const earn = calculatePurchaseEarn(order(lines, { currency }), p, ctx(over));
  return { en: explainPurchase(earn, p, "en", currency), de: explainPurchase(earn, p, "de", currency) };
}

describe("explainPurchase", () => {
  it("explains the base, an exclusion and a multiplier campaign in English and German", () => {
    const out = explain((p) => (p.campaigns = [monday]), [line("1", 1000), line("gc", 500, { giftCard: true })]);
    expect(out.en).toEqual(["−€5.00 excluded: gift card", "10 pts: 1 pt per €1 on €10.00", "×2: Monday campaign (+10 pts)", "Total: 20 pts"]);
    expect(out.de).toEqual([
      `−5,00${NBSP}€ ausgeschlossen: Geschenkgutschein`,
      `10 P.: 1 P. pro 1${NBSP}€ auf 10,00${NBSP}€`,
      "×2: Montagsaktion (+10 P.)",
      "Gesamt: 20 P.",
    ]);
  });

  const named = (c: Partial<Campaign>) => campaign({ id: "c", name: { en: "Spring", de: "Frühling" }, ...c });

  it.each<[string, (p: Program) => void, string, string]>([
    ["a fractional multiplier", (p) => (p.campaigns = [named({ effect: { type: "multiplier", factor: 1.5 } })]), "×1.5: Spring (+5 pts)", "×1,5: Frühling (+5 P.)"],
    ["fixed points", (p) => (p.campaigns = [named({ effect: { type: "fixed", points: 50 } })]), "+50 pts: Spring", "+50 P.: Frühling"],
    [
      "a product multiplier",
      (p) => (p.campaigns = [named({ effect: { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: [], multiplier: 3 } })]),
      "×3 on selected products: Spring (+20 pts)",
      "×3 auf ausgewählte Produkte: Frühling (+20 P.)",
    ],
    [
      "extra points per unit on products",
      (p) => (p.campaigns = [named({ effect: { type: "productBonus", productIds: ["gid://shopify/Product/1"], collectionIds: [], pointsPerUnit: 2 } })]),
      "+2 pts per €1 on selected products: Spring (+20 pts)",
      `+2 P. pro 1${NBSP}€ auf ausgewählte Produkte: Frühling (+20 P.)`,
    ],
    [
      "a big basket",
      (p) => (p.campaigns = [named({ effect: { type: "bigBasket", minSubtotalMinor: 1000, points: 25 } })]),
      "+25 pts from €10.00: Spring",
      `+25 P. ab 10,00${NBSP}€: Frühling`,
    ],
    ["a reducing multiplier", (p) => (p.campaigns = [named({ effect: { type: "multiplier", factor: 0.5 } })]), "×0.5: Spring (−5 pts)", "×0,5: Frühling (−5 P.)"],
  ])("%s", (_what, change, en, de) => {
    const out = explain(change);
    expect(out.en[1]).toBe(en);
    expect(out.de[1]).toBe(de);
  });

  it("says when a campaign's budget ran out", () => {
    const out = explain((p) => (p.campaigns = [named({ effect: { type: "fixed", points: 50 } })]), undefined, { campaignBudgetLeft: { c: 7 } });
    expect(out.en[1]).toBe("+50 pts: Spring (+7 pts, budget reached)");
    expect(out.de[1]).toBe("+50 P.: Frühling (+7 P., Budget erschöpft)");
  });

  it("shows the tier bonus", () => {
    const out = explain(() => {}, [line("1", 2000)], { tierMultiplier: 1.25 });
    expect(out.en).toEqual(["20 pts: 1 pt per €1 on €20.00", "×1.25: tier bonus (+5 pts)", "Total: 25 pts"]);
    expect(out.de).toEqual([`20 P.: 1 P. pro 1${NBSP}€ auf 20,00${NBSP}€`, "×1,25: Stufenbonus (+5 P.)", "Gesamt: 25 P."]);
  });

  it.each<[string, (p: Program) => void, Partial<ReturnType<typeof order>>, string, string]>([
    ["below the minimum order", (p) => (p.purchase.minimumOrderMinor = 2000), {}, "No points: €10.00 is below the minimum order of €20.00", `Keine Punkte: 10,00${NBSP}€ liegt unter dem Mindestbestellwert von 20,00${NBSP}€`],
    ["the program is paused", (p) => (p.enabled = false), {}, "No points: the loyalty program is paused", "Keine Punkte: das Treueprogramm ist pausiert"],
    ["purchases are off", (p) => (p.purchase.enabled = false), {}, "No points: purchases don't earn points", "Keine Punkte: Einkäufe sammeln keine Punkte"],
    ["a guest order", () => {}, { customerGid: null }, "No points: guest orders don't earn points", "Keine Punkte: Gastbestellungen sammeln keine Punkte"],
  ])("explains a skip: %s", (_what, change, over, en, de) => {
    const p = program(change);
    const earn = calculatePurchaseEarn(order([line("1", 1000)], over), p, ctx());
    expect(explainPurchase(earn, p, "en", "EUR")).toEqual([en]);
    expect(explainPurchase(earn, p, "de", "EUR")).toEqual([de]);
  });

  it.each<[string, number, number, string[], string[]]>([
    ["USD", 123456, 1, ["1,234 pts: 1 pt per $1 on $1,234.56", "Total: 1,234 pts"], [`1.234 P.: 1 P. pro 1${NBSP}$ auf 1.234,56${NBSP}$`, "Gesamt: 1.234 P."]],
    ["JPY", 1500, 1, ["1,500 pts: 1 pt per ¥1 on ¥1,500", "Total: 1,500 pts"], [`1.500 P.: 1 P. pro 1${NBSP}¥ auf 1.500${NBSP}¥`, "Gesamt: 1.500 P."]],
    ["EUR", 99, 1, ["0 pts: 1 pt per €1 on €0.99", "Total: 0 pts"], [`0 P.: 1 P. pro 1${NBSP}€ auf 0,99${NBSP}€`, "Gesamt: 0 P."]],
    ["EUR", 100, 5, ["5 pts: 5 pts per €1 on €1.00", "Total: 5 pts"], [`5 P.: 5 P. pro 1${NBSP}€ auf 1,00${NBSP}€`, "Gesamt: 5 P."]],
  ])("formats %s amounts and numbers for the locale (%i minor at %i pt)", (currency, minor, rate, en, de) => {
    const out = explain((p) => (p.purchase.pointsPerUnit = rate), [line("1", minor)], {}, currency);
    expect(out.en).toEqual(en);
    expect(out.de).toEqual(de);
  });
});
