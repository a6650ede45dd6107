// Field errors as locale keys. The domain validates without knowing the merchant's language: a
// message is an `errors.*` key of app/locales, optionally followed by its parameters as JSON
// (`errors.maxChars{"max":64}`). The admin's actions translate the per-field map into the
// merchant's locale (localizeFieldErrors in app/lib/i18n.ts); the developer API shows English.
// tests/unit/field-errors.test.ts fails on an English literal in a schema or a form.
import { z } from "zod";
import type { MessageKey } from "~/lib/i18n";

export type ErrorKey = Extract<MessageKey, `errors.${string}`>;
export type ErrorVars = Record<string, string | number>;

/** A field error: the key, and its parameters if any. */
export function fe(key: ErrorKey, vars?: ErrorVars): string {
  return vars && Object.keys(vars).length ? `${key}${JSON.stringify(vars)}` : key;
}

/** A stored field error as its key and parameters; null for a message that is not one (free text). */
export function decodeFieldError(message: string): { key: ErrorKey; vars: ErrorVars } | null {
  const m = /^(errors\.[\w.]+)(\{.*\})?$/s.exec(message);
  if (!m) return null;
  if (!m[2]) return { key: m[1] as ErrorKey, vars: {} };
  try {
    const vars = JSON.parse(m[2]) as unknown;
    if (typeof vars !== "object" || vars === null || Array.isArray(vars)) return null;
    return { key: m[1] as ErrorKey, vars: vars as ErrorVars };
  } catch {
    return null;
  }
}

/** The stable code a developer can match on: the key without "errors." ("gt0", "maxChars"). */
export function fieldErrorCode(message: string): string | undefined {
  return decodeFieldError(message)?.key.slice("errors.".length);
}

const TYPE_KEYS: Record<string, ErrorKey> = {
  number: "errors.type.number",
  nan: "errors.type.number",
  integer: "errors.whole",
  string: "errors.type.text",
  boolean: "errors.type.boolean",
  array: "errors.type.list",
  object: "errors.type.object",
  date: "errors.date",
};

/**
 * Every schema parses with this map, so a check without its own message (zod's English default)
 * still yields a key. Messages passed to a check (`.max(64, fe(...))`) take precedence.
 */
export const fieldErrorMap: z.ZodErrorMap = (issue) => {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === "undefined") return { message: fe("errors.required") };
      return { message: fe(TYPE_KEYS[issue.expected] ?? "errors.invalid") };
    case z.ZodIssueCode.invalid_literal:
      return { message: fe("errors.literal", { value: JSON.stringify(issue.expected) }) };
    case z.ZodIssueCode.invalid_enum_value:
      return { message: fe("errors.oneOf", { options: issue.options.join(", ") }) };
    case z.ZodIssueCode.invalid_union_discriminator:
      return { message: fe("errors.oneOf", { options: issue.options.map(String).join(", ") }) };
    case z.ZodIssueCode.too_small: {
      const min = Number(issue.minimum);
      if (issue.type === "array" || issue.type === "set") return { message: fe("errors.minItems", { min }) };
      if (issue.type === "string") return { message: min <= 1 ? fe("errors.empty") : fe("errors.minChars", { min }) };
      return { message: issue.inclusive ? fe("errors.min", { min }) : min === 0 ? fe("errors.gt0") : fe("errors.gt", { min }) };
    }
    case z.ZodIssueCode.too_big: {
      const max = Number(issue.maximum);
      if (issue.type === "array" || issue.type === "set") return { message: fe("errors.maxItems", { max }) };
      if (issue.type === "string") return { message: fe("errors.maxChars", { max }) };
      return { message: issue.inclusive ? fe("errors.max", { max }) : fe("errors.lt", { max }) };
    }
    case z.ZodIssueCode.not_finite:
      return { message: fe("errors.finite") };
    case z.ZodIssueCode.invalid_date:
      return { message: fe("errors.date") };
    case z.ZodIssueCode.unrecognized_keys:
      return { message: fe("errors.unknownSetting", { key: issue.keys.join(", ") }) };
    default:
      return { message: fe("errors.invalid") };
  }
};
