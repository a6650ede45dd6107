import { describe, expect, it } from "vitest";
import { engagementPoints, EngagementInputError, type EngagementEarn } from "~/domain/engagement";
import type { EngagementAction, Program, SocialNetwork } from "~/domain/program";
import { program } from "./builders";

const configured = (p: Program) => {
  Object.assign(p.actions.birthday, { enabled: true, points: 200 });
  Object.assign(p.actions.newsletter, { enabled: true, points: 50 });
  p.actions.social.enabled = true;
  p.actions.social.networks.instagram = { enabled: true, url: "https://instagram.com/shop" };
  p.actions.custom = { enabled: true, maxPointsPerEvent: 500 };
};

describe("engagementPoints", () => {
  it.each<[string, (p: Program) => void, EngagementAction, { network?: SocialNetwork; requestedPoints?: number }, EngagementEarn]>([
    ["signup", configured, "signup", {}, { points: 100 }],
    ["birthday", configured, "birthday", {}, { points: 200 }],
    ["newsletter", configured, "newsletter", {}, { points: 50 }],
    ["a review while reviews are off", configured, "review", {}, { points: 0, skipped: "action-disabled" }],
    ["an Instagram follow", configured, "social", { network: "instagram" }, { points: 25 }],
    ["a TikTok follow while TikTok is off", configured, "social", { network: "tiktok" }, { points: 0, skipped: "network-disabled" }],
    ["a custom event within the cap", configured, "custom", { requestedPoints: 300 }, { points: 300, capped: false }],
    ["a custom event above the cap", configured, "custom", { requestedPoints: 800 }, { points: 500, capped: true }],
    ["a custom event while custom events are off", () => {}, "custom", { requestedPoints: 10 }, { points: 0, skipped: "action-disabled" }],
    ["anything while the program is paused", (p) => (p.enabled = false), "signup", {}, { points: 0, skipped: "program-disabled" }],
  ])("%s", (_what, change, action, options, expected) => {
    expect(engagementPoints(program(change), action, options)).toEqual(expected);
  });

  it.each<[string, EngagementAction, { network?: SocialNetwork; requestedPoints?: number }]>([
    ["a custom event without points", "custom", {}],
    ["a custom event with negative points", "custom", { requestedPoints: -5 }],
    ["a custom event with fractional points", "custom", { requestedPoints: 2.5 }],
    ["a social follow without a network", "social", {}],
  ])("refuses %s", (_what, action, options) => {
    expect(() => engagementPoints(program(configured), action, options)).toThrow(EngagementInputError);
  });
});
