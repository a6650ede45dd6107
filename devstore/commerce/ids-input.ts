import { numericIdOf } from "../core/ids.ts";

/** Accepts a numeric id, a numeric string or a GID of the given type. */
export function idFrom(value: number | string, type: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  const id = typeof value === "string" ? numericIdOf(value, type) : null;
  if (id === null) throw new Error(`expected a ${type} id or GID, got ${JSON.stringify(value)}`);
  return id;
}
