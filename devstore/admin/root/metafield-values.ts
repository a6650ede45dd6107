/** Validates a metafield value against its type; returns an error message or null. */
const SIMPLE: Record<string, (value: string) => boolean> = {
  single_line_text_field: (v) => !/[\r\n]/.test(v),
  multi_line_text_field: () => true,
  number_integer: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER,
  number_decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
  boolean: (v) => v === "true" || v === "false",
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  date_time: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v)),
  url: (v) => {
    try {
      return ["http:", "https:", "mailto:", "sms:", "tel:"].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  },
  color: (v) => /^#[0-9A-Fa-f]{6}$/.test(v),
  id: (v) => v.length > 0 && v.length <= 255,
};

const REFERENCE = /^(product|variant|collection|customer|company|file|metaobject|mixed|page|order|product_taxonomy_value|article)_reference$/;

function json(value: string): unknown {
  return JSON.parse(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  json: () => true,
  rich_text_field: (v) => isObject(v) && v.type === "root",
  money: (v) => isObject(v) && typeof v.amount === "string" && /^-?\d+(\.\d+)?$/.test(v.amount) && typeof v.currency_code === "string",
  rating: (v) => isObject(v) && v.value !== undefined && v.scale_min !== undefined && v.scale_max !== undefined,
  weight: (v) => isObject(v) && typeof v.value === "number" && typeof v.unit === "string",
  volume: (v) => isObject(v) && typeof v.value === "number" && typeof v.unit === "string",
  dimension: (v) => isObject(v) && typeof v.value === "number" && typeof v.unit === "string",
  link: (v) => isObject(v) && typeof v.url === "string",
};

export function isKnownType(type: string): boolean {
  const base = type.startsWith("list.") ? type.slice(5) : type;
  return base in SIMPLE || base in JSON_TYPES || REFERENCE.test(base);
}

function checkOne(type: string, value: unknown): boolean {
  if (type in JSON_TYPES) return JSON_TYPES[type]!(value);
  if (typeof value !== "string") return false;
  if (type in SIMPLE) return SIMPLE[type]!(value);
  if (REFERENCE.test(type)) return /^gid:\/\/shopify\/[A-Za-z]+\/\d+$/.test(value);
  return false;
}

export function validateMetafieldValue(type: string, value: string): string | null {
  try {
    if (type.startsWith("list.")) {
      const base = type.slice(5);
      const items = json(value);
      if (!Array.isArray(items)) return `Value must be a JSON array for type ${type}`;
      return items.every((item) => checkOne(base, typeof item === "string" || base in JSON_TYPES ? item : String(item))) ? null : `Value has an invalid element for type ${type}`;
    }
    if (type in JSON_TYPES) return checkOne(type, json(value)) ? null : `Value is invalid for type ${type}`;
    return checkOne(type, value) ? null : `Value is invalid for type ${type}`;
  } catch {
    return `Value is invalid JSON for type ${type}`;
  }
}
