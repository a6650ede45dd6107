// Importing members from another loyalty app's CSV export: which app wrote the file (by its header
// row), what each row means, and what is wrong with a row — all pure, so the dry run and the real
// run judge rows the same way. The columns each format is read with are in docs/import-formats.md.

export type ImportFormat = "generic" | "smile" | "loyaltylion" | "yotpo";
export const IMPORT_FORMATS: ImportFormat[] = ["generic", "smile", "loyaltylion", "yotpo"];

type Field = "email" | "customerId" | "firstName" | "lastName" | "fullName" | "points" | "tier" | "birthday" | "referralCode" | "history";

interface FormatSpec {
  /** normalised header names (lower case, letters and digits only) per field, first match wins */
  fields: Partial<Record<Field, string[]>>;
  /** headers that only this format writes; the format is chosen by the most found */
  signature: string[];
  /** fields that must have a column */
  required: Field[];
}

export const FORMATS: Record<ImportFormat, FormatSpec> = {
  generic: {
    fields: {
      email: ["email"],
      customerId: ["customerid"],
      firstName: ["firstname"],
      lastName: ["lastname"],
      points: ["points"],
      tier: ["tier"],
      birthday: ["birthday"],
      referralCode: ["referralcode"],
      history: ["history"],
    },
    signature: ["points", "referralcode", "history", "customerid"],
    required: ["email", "points"],
  },
  smile: {
    fields: {
      email: ["email"],
      firstName: ["firstname"],
      lastName: ["lastname"],
      points: ["pointsbalance"],
      tier: ["viptier"],
      birthday: ["dateofbirth", "birthday"],
      referralCode: ["referralurl"],
    },
    signature: ["pointsbalance", "membershipstatus", "viptier", "referralurl"],
    required: ["email", "points"],
  },
  loyaltylion: {
    fields: {
      email: ["email"],
      customerId: ["merchantid"],
      firstName: ["firstname"],
      lastName: ["lastname"],
      points: ["pointsapproved"],
      tier: ["tier", "tiername"],
      birthday: ["birthday"],
      referralCode: ["referrallink", "referralurl"],
    },
    signature: ["pointsapproved", "pointspending", "merchantid", "pointsspent"],
    required: ["email", "points"],
  },
  yotpo: {
    fields: {
      email: ["email"],
      firstName: ["firstname"],
      lastName: ["lastname"],
      fullName: ["fullname"],
      points: ["pointsbalance", "currentpointsbalance"],
      tier: ["viptier", "vipstatus"],
      birthday: ["birthday", "birthdaymmdd", "birthdaymmddyyyy"],
      referralCode: ["referrallink", "referralcode"],
    },
    signature: ["currentpointsbalance", "pointsearned", "pointsspent", "referrallink", "fullname", "vipstatus"],
    required: ["email", "points"],
  },
};

export const normaliseHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Why a file can't be imported: a code the admin translates (import.fileError.<code>), its values. */
export class ImportFormatError extends Error {
  constructor(readonly code: "unknown" | "missingColumn" | "empty" | "tooManyRows", readonly args: Record<string, string> = {}) {
    super(
      code === "unknown" ? `no known format has the columns ${args.columns}`
      : code === "missingColumn" ? `the ${args.format} format needs a column ${args.column}`
      : code === "empty" ? "the file is empty"
      : `more than ${args.max} rows; split the file`,
    );
  }
}

/** The format whose distinctive columns the header has most of; throws when none fits. */
export function detectFormat(header: string[]): ImportFormat {
  const names = new Set(header.map(normaliseHeader));
  let best: { format: ImportFormat; score: number } | null = null;
  for (const format of IMPORT_FORMATS) {
    const spec = FORMATS[format];
    if (!spec.required.every((f) => spec.fields[f]!.some((n) => names.has(n)))) continue;
    const score = spec.signature.filter((s) => names.has(s)).length;
    if (score > 0 && (!best || score > best.score)) best = { format, score };
  }
  if (!best) throw new ImportFormatError("unknown", { columns: header.join(", ") });
  return best.format;
}

export interface ColumnMap {
  format: ImportFormat;
  /** field → column index */
  index: Partial<Record<Field, number>>;
  /** field → the column's header as in the file (for the report) */
  label: Partial<Record<Field, string>>;
}

/** Maps a format's fields to the header's columns; throws naming a required column that is missing. */
export function mapColumns(format: ImportFormat, header: string[]): ColumnMap {
  const spec = FORMATS[format];
  const normalised = header.map(normaliseHeader);
  const map: ColumnMap = { format, index: {}, label: {} };
  for (const [field, names] of Object.entries(spec.fields) as Array<[Field, string[]]>) {
    for (const n of names) {
      const i = normalised.indexOf(n);
      if (i >= 0) {
        map.index[field] = i;
        map.label[field] = header[i];
        break;
      }
    }
  }
  for (const f of spec.required) if (map.index[f] === undefined) throw new ImportFormatError("missingColumn", { format, column: spec.fields[f]![0]! });
  return map;
}

export interface HistoryItem {
  date: string;
  points: number;
  reason: string;
}

export interface ImportRow {
  row: number;
  email: string | null;
  customerGid: string | null;
  firstName: string | null;
  lastName: string | null;
  points: number;
  tier: string | null;
  birthday: string | null;
  referralCode: string | null;
  history: HistoryItem[];
}

export interface RowError {
  row: number;
  column: string;
  /** a code (see REASONS), with its value after a colon: "duplicate:2" */
  reason: string;
}

/** What can be wrong with a row, in English; the admin shows import.reason.<code> in its language. */
export const REASONS = {
  "customerId.invalid": "not a Shopify customer id",
  "email.invalid": "not an email address",
  "email.required": "an email (or a customer id) is required",
  "points.whole": "not a whole number (write 1234, without separators)",
  "points.negative": "a balance can't be negative",
  "points.tooMany": "more than 100,000,000 points",
  "birthday.invalid": "not a date (YYYY-MM-DD, MM/DD or DD.MM.YYYY)",
  "history.date": "history entry “{value}”: the date must be YYYY-MM-DD",
  "history.points": "history entry “{value}”: points must be a whole number other than 0",
  "history.reason": "history entry “{value}”: a reason of 1 to 100 characters is required",
  "history.tooMany": "at most 100 history entries per member",
  duplicate: "the same member as row {value}",
  "customer.notFound": "no Shopify customer has this email",
  "customer.twice": "the same customer as row {value}",
} as const;
export type ReasonCode = keyof typeof REASONS;

export const reasonOf = (code: ReasonCode, value?: string | number) => (value === undefined ? code : `${code}:${value}`);

/** A stored reason as its code and value; unknown codes come back as they are. */
export function splitReason(stored: string): { code: ReasonCode | null; value: string } {
  const i = stored.indexOf(":");
  const code = (i < 0 ? stored : stored.slice(0, i)) as ReasonCode;
  return code in REASONS ? { code, value: i < 0 ? "" : stored.slice(i + 1) } : { code: null, value: stored };
}

/** The English text of a stored reason (logs, tests, exports). */
export function reasonText(stored: string): string {
  const { code, value } = splitReason(stored);
  return code ? REASONS[code].replace("{value}", value) : value;
}

export const MAX_IMPORT_POINTS = 100_000_000;
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;

/** Any of 1990-07-04, 07-04, 07/04, 07/04/1990 (US, as Smile and Yotpo write), 04.07.1990 → "07-04". */
export function parseBirthday(raw: string): string | null {
  const v = raw.trim();
  let month: number;
  let day: number;
  let m = /^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(v);
  if (m) [month, day] = [Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?$/.exec(v))) [month, day] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(\d{1,2})\.(\d{1,2})\.(?:\d{2}|\d{4})?$/.exec(v))) [day, month] = [Number(m[1]), Number(m[2])];
  else return null;
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (!days || day < 1 || day > days) return null;
  return `${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The generic format's history: entries separated by ";", each "YYYY-MM-DD|points|reason". */
export function parseHistory(raw: string): HistoryItem[] | string {
  // returns the items, or a stored reason (see REASONS)
  const items: HistoryItem[] = [];
  for (const part of raw.split(";").map((p) => p.trim()).filter(Boolean)) {
    const [date = "", points = "", ...rest] = part.split("|").map((s) => s.trim());
    const text = rest.join("|");
    const entry = part.slice(0, 120);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) return reasonOf("history.date", entry);
    if (!/^[+-]?\d+$/.test(points) || Number(points) === 0 || Math.abs(Number(points)) > MAX_IMPORT_POINTS) return reasonOf("history.points", entry);
    if (!text || text.length > 100) return reasonOf("history.reason", entry);
    items.push({ date, points: Number(points), reason: text });
  }
  if (items.length > 100) return reasonOf("history.tooMany");
  return items;
}

/** A Shopify customer id as a GID: 123, gid://shopify/Customer/123. */
export function customerGidOf(raw: string): string | null {
  const v = raw.trim();
  if (/^\d{1,20}$/.test(v)) return `gid://shopify/Customer/${v}`;
  if (/^gid:\/\/shopify\/Customer\/\d{1,20}$/.test(v)) return v;
  return null;
}

/** Reads one data row (`row` is its number in the file, the header being row 1). */
export function readRow(map: ColumnMap, fields: string[], row: number): { row?: ImportRow; errors: RowError[] } {
  const errors: RowError[] = [];
  const get = (f: Field) => {
    const i = map.index[f];
    return i === undefined ? "" : (fields[i] ?? "").trim();
  };
  const fail = (f: Field, reason: string) => errors.push({ row, column: map.label[f] ?? f, reason });

  const rawGid = get("customerId");
  const customerGid = rawGid ? customerGidOf(rawGid) : null;
  if (rawGid && !customerGid) fail("customerId", reasonOf("customerId.invalid"));
  const rawEmail = get("email");
  const email = rawEmail ? rawEmail.toLowerCase() : null;
  if (email && (!EMAIL.test(email) || email.length > 254)) fail("email", reasonOf("email.invalid"));
  if (!email && !rawGid) fail("email", reasonOf("email.required"));

  const rawPoints = get("points").replace(/^\+/, "");
  let points = 0;
  if (rawPoints !== "") {
    if (!/^-?\d+$/.test(rawPoints)) fail("points", reasonOf("points.whole"));
    else if (Number(rawPoints) < 0) fail("points", reasonOf("points.negative"));
    else if (Number(rawPoints) > MAX_IMPORT_POINTS) fail("points", reasonOf("points.tooMany"));
    else points = Number(rawPoints);
  }

  const rawBirthday = get("birthday");
  const birthday = rawBirthday ? parseBirthday(rawBirthday) : null;
  if (rawBirthday && !birthday) fail("birthday", reasonOf("birthday.invalid"));

  let history: HistoryItem[] = [];
  const rawHistory = get("history");
  if (rawHistory) {
    const h = parseHistory(rawHistory);
    if (typeof h === "string") fail("history", h);
    else history = h;
  }

  const tier = get("tier").slice(0, 100) || null;
  const referralCode = get("referralCode").slice(0, 255) || null;
  let firstName = get("firstName") || null;
  let lastName = get("lastName") || null;
  const fullName = get("fullName");
  if (!firstName && !lastName && fullName) {
    const parts = fullName.split(/\s+/);
    firstName = parts[0] ?? null;
    lastName = parts.slice(1).join(" ") || null;
  }
  if (errors.length) return { errors };
  return {
    errors,
    row: { row, email, customerGid, firstName: firstName?.slice(0, 255) ?? null, lastName: lastName?.slice(0, 255) ?? null, points, tier, birthday, referralCode, history },
  };
}

/**
 * The ledger entries a row becomes: its history as it was (if given), then what makes the total
 * equal the balance in the file. Every entry's key is derived from the import and the row, so
 * running the import again never posts twice.
 */
export function rowEntries(importId: number, r: ImportRow): Array<{ key: string; points: number; reason: string; note: string | null }> {
  const out: Array<{ key: string; points: number; reason: string; note: string | null }> = [];
  r.history.forEach((h, i) => out.push({ key: `import:${importId}:${r.row}:${i + 1}`, points: h.points, reason: "import:history", note: `${h.date} ${h.reason}` }));
  const rest = r.points - r.history.reduce((s, h) => s + h.points, 0);
  if (rest !== 0) out.push({ key: `import:${importId}:${r.row}`, points: rest, reason: "import", note: r.history.length ? "balance in the file less its history" : null });
  return out;
}
