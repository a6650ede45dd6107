import { describe, expect, it } from "vitest";
import { monthDayFrom } from "~/models/actions.server";

describe("birthdays from a metafield", () => {
  it.each([
    ["1990-07-04", "07-04"],
    ["07-04", "07-04"],
    ["4.7.1990", "07-04"],
    ["04.07.", "07-04"],
    ["July 4th", null],
  ])("%s → %s", (value, expected) => expect(monthDayFrom(value)).toBe(expected));
});
