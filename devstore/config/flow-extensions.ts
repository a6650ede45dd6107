// The app's Shopify Flow extensions, read from extensions/*/shopify.extension.toml: flow_trigger
// (what flowTriggerReceive accepts: the handle and the declared fields) and flow_action (where Flow
// POSTs a run, and which properties it carries). Field types as Shopify CLI accepts them: triggers
// take boolean, email, single_line_text_field, url, number_decimal and the commerce references;
// actions also number_integer and multi_line_text_field.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseToml, type TomlTable } from "./toml.ts";
import { repoRoot } from "../core/paths.ts";

export interface FlowField {
  /** the payload key: `<object>_id` for a reference (customer_id), else the declared key */
  key: string;
  type: string;
  required: boolean;
}

export interface FlowTriggerDef {
  handle: string;
  name: string;
  fields: FlowField[];
}

export interface FlowActionDef {
  handle: string;
  name: string;
  runtimeUrl: string;
  fields: FlowField[];
}

/** A flow_trigger_lifecycle_callback: where Flow tells the app a shop started or stopped using a trigger. */
export interface FlowLifecycleCallbackDef {
  handle: string;
  /** an absolute https URL, or a path Shopify CLI resolves against the app URL */
  url: string;
}

export interface FlowExtensions {
  triggers: Map<string, FlowTriggerDef>;
  actions: Map<string, FlowActionDef>;
  lifecycleCallbacks: FlowLifecycleCallbackDef[];
}

const TRIGGER_TYPES = new Set(["boolean", "email", "single_line_text_field", "url", "number_decimal"]);
const ACTION_TYPES = new Set([...TRIGGER_TYPES, "number_integer", "multi_line_text_field"]);
const TRIGGER_REFERENCES = new Set(["customer_reference", "order_reference", "product_reference", "company_reference", "company_contact_reference"]);
const ACTION_REFERENCES = new Set([...TRIGGER_REFERENCES, "marketing_activity_reference"]);
const HANDLE_RE = /^[a-z0-9-]{1,30}$/i;

export const DEFAULT_EXTENSIONS_DIR = path.join(repoRoot, "extensions");

const tables = (v: unknown): TomlTable[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === "object" && !Array.isArray(x)) as TomlTable[]) : []);

function fieldsOf(doc: TomlTable, kind: "flow_trigger" | "flow_action", where: string): FlowField[] {
  const settings = doc.settings as TomlTable | undefined;
  const out: FlowField[] = [];
  for (const f of tables(settings?.fields)) {
    const type = String(f.type ?? "");
    const references = kind === "flow_trigger" ? TRIGGER_REFERENCES : ACTION_REFERENCES;
    if (type.endsWith("_reference")) {
      if (!references.has(type)) throw new Error(`${where}: ${type} is not supported on ${kind}`);
      out.push({ key: `${type.replace(/_reference$/, "")}_id`, type, required: kind === "flow_trigger" || f.required === true });
      continue;
    }
    if (!(kind === "flow_trigger" ? TRIGGER_TYPES : ACTION_TYPES).has(type)) throw new Error(`${where}: field type ${type} is not supported on ${kind}`);
    const key = f.key;
    if (typeof key !== "string" || !key) throw new Error(`${where}: a ${type} field needs a key`);
    if (kind === "flow_trigger" && !/^[a-zA-Z\s]*$/.test(key)) throw new Error(`${where}: trigger field keys may contain only letters and spaces (${key})`);
    out.push({ key, type, required: kind === "flow_trigger" || f.required === true });
  }
  return out;
}

/** Reads every extension folder's TOML; an invalid Flow extension is an error, as in `shopify app build`. */
export function readFlowExtensions(dir: string | null = DEFAULT_EXTENSIONS_DIR): FlowExtensions {
  const result: FlowExtensions = { triggers: new Map(), actions: new Map(), lifecycleCallbacks: [] };
  if (!dir || !existsSync(dir)) return result;
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, "shopify.extension.toml");
    if (!statSync(path.join(dir, name)).isDirectory() || !existsSync(file)) continue;
    const doc = parseToml(readFileSync(file, "utf8"));
    for (const ext of tables(doc.extensions)) {
      const type = ext.type;
      if (type !== "flow_trigger" && type !== "flow_action" && type !== "flow_trigger_lifecycle_callback") continue;
      const handle = String(ext.handle ?? "");
      if (!HANDLE_RE.test(handle)) throw new Error(`${file}: invalid handle "${handle}"`);
      if (type === "flow_trigger_lifecycle_callback") {
        // Shopify CLI: an absolute https URL or a relative path (not protocol-relative)
        const url = String(ext.url ?? "");
        if (!url.startsWith("https://") && !/^\/(?!\/)/.test(url)) throw new Error(`${file}: url must be an https URL or a path starting with /`);
        result.lifecycleCallbacks.push({ handle, url });
        continue;
      }
      const fields = fieldsOf(doc, type, file);
      if (type === "flow_trigger") result.triggers.set(handle, { handle, name: String(ext.name ?? handle), fields });
      else {
        const runtimeUrl = String(ext.runtime_url ?? "");
        if (!runtimeUrl.startsWith("https://")) throw new Error(`${file}: runtime_url must be an https URL`);
        result.actions.set(handle, { handle, name: String(ext.name ?? handle), runtimeUrl, fields });
      }
    }
  }
  return result;
}

/** Checks one value against a field type; returns a message or null. */
export function fieldValueError(field: FlowField, value: unknown): string | null {
  switch (field.type) {
    case "boolean":
      return typeof value === "boolean" ? null : "must be a boolean";
    case "number_decimal":
      return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
    case "number_integer":
      return typeof value === "number" && Number.isInteger(value) ? null : "must be an integer";
    case "email":
      return typeof value === "string" && /^[^\s@]+@[^\s@]+$/.test(value) ? null : "must be an email address";
    case "url":
      return typeof value === "string" && /^https?:\/\/\S+$/.test(value) ? null : "must be a URL";
    case "single_line_text_field":
      return typeof value === "string" && !/[\r\n]/.test(value) ? null : "must be a single line of text";
    case "multi_line_text_field":
      return typeof value === "string" ? null : "must be text";
    default:
      // references: a numeric resource id
      return (typeof value === "number" && Number.isInteger(value) && value > 0) || (typeof value === "string" && /^\d+$/.test(value)) ? null : "must be a numeric ID";
  }
}
