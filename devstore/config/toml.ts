/**
 * A small TOML reader for the subset shopify.app.toml uses: comments, [tables], [[arrays of
 * tables]] with dotted names, key = value with dotted or quoted keys, basic and literal strings
 * (single- and multi-line), integers, floats, booleans, arrays (multi-line, trailing commas) and
 * inline tables. Dates are returned as strings. Anything else is a syntax error with a line number.
 */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  constructor(message: string, line: number) {
    super(`TOML line ${line}: ${message}`);
  }
}

export function parseToml(source: string): TomlTable {
  return new Parser(source).parseDocument();
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  private line(): number {
    return this.src.slice(0, this.pos).split("\n").length;
  }

  private fail(message: string): never {
    throw new TomlError(message, this.line());
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }

  private skipInline(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
    if (this.peek() === "#") while (this.pos < this.src.length && this.peek() !== "\n") this.pos++;
  }

  private skipAll(): void {
    for (;;) {
      this.skipInline();
      if (this.peek() === "\n" || this.peek() === "\r") this.pos++;
      else break;
    }
  }

  private endOfLine(): void {
    this.skipInline();
    if (this.pos >= this.src.length) return;
    if (this.peek() === "\r") this.pos++;
    if (this.peek() !== "\n") this.fail(`unexpected ${JSON.stringify(this.peek())}`);
    this.pos++;
  }

  parseDocument(): TomlTable {
    const root: TomlTable = {};
    let current = root;
    for (;;) {
      this.skipAll();
      if (this.pos >= this.src.length) return root;
      if (this.peek() === "[") {
        const isArray = this.peek(1) === "[";
        this.pos += isArray ? 2 : 1;
        const keys = this.parseKey();
        this.skipInline();
        if (this.src.slice(this.pos, this.pos + (isArray ? 2 : 1)) !== (isArray ? "]]" : "]")) this.fail("unclosed table header");
        this.pos += isArray ? 2 : 1;
        this.endOfLine();
        current = isArray ? this.appendArrayTable(root, keys) : this.openTable(root, keys);
        continue;
      }
      const keys = this.parseKey();
      this.skipInline();
      if (this.peek() !== "=") this.fail("expected '='");
      this.pos++;
      this.skipInline();
      const value = this.parseValue();
      this.assign(current, keys, value);
      this.endOfLine();
    }
  }

  private openTable(root: TomlTable, keys: string[]): TomlTable {
    let table = root;
    for (const key of keys) {
      const existing = table[key];
      if (existing === undefined) {
        const next: TomlTable = {};
        table[key] = next;
        table = next;
      } else if (Array.isArray(existing)) {
        const last = existing[existing.length - 1];
        if (!isTable(last)) this.fail(`${key} is not a table`);
        table = last;
      } else if (isTable(existing)) {
        table = existing;
      } else this.fail(`${key} is already a value`);
    }
    return table;
  }

  private appendArrayTable(root: TomlTable, keys: string[]): TomlTable {
    const parent = this.openTable(root, keys.slice(0, -1));
    const last = keys[keys.length - 1]!;
    const existing = parent[last] ?? [];
    if (!Array.isArray(existing)) this.fail(`${last} is not an array of tables`);
    const table: TomlTable = {};
    existing.push(table);
    parent[last] = existing;
    return table;
  }

  private assign(table: TomlTable, keys: string[], value: TomlValue): void {
    const parent = this.openTable(table, keys.slice(0, -1));
    const last = keys[keys.length - 1]!;
    if (last in parent) this.fail(`duplicate key ${last}`);
    parent[last] = value;
  }

  private parseKey(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipInline();
      const c = this.peek();
      if (c === '"' || c === "'") keys.push(this.parseString());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.src.slice(this.pos));
        if (!m) this.fail("expected a key");
        keys.push(m[0]);
        this.pos += m[0].length;
      }
      this.skipInline();
      if (this.peek() !== ".") return keys;
      this.pos++;
    }
  }

  private parseValue(): TomlValue {
    const c = this.peek();
    if (c === '"' || c === "'") return this.parseString();
    if (c === "[") return this.parseArray();
    if (c === "{") return this.parseInlineTable();
    const rest = this.src.slice(this.pos);
    const bool = /^(true|false)(?![A-Za-z0-9_])/.exec(rest);
    if (bool) {
      this.pos += bool[0].length;
      return bool[0] === "true";
    }
    const date = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(rest);
    if (date) {
      this.pos += date[0].length;
      return date[0];
    }
    const num = /^[+-]?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|(\d[\d_]*)(\.\d[\d_]*)?([eE][+-]?\d+)?|inf|nan)/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      const text = num[0].replace(/_/g, "");
      if (/inf$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
      if (/nan$/.test(text)) return NaN;
      if (/^[+-]?0[xob]/.test(text)) return Number(text.replace(/^\+/, ""));
      return Number(text);
    }
    this.fail("expected a value");
  }

  private parseString(): string {
    const quote = this.peek();
    const multi = this.src.startsWith(quote.repeat(3), this.pos);
    const literal = quote === "'";
    this.pos += multi ? 3 : 1;
    if (multi && this.peek() === "\n") this.pos++;
    else if (multi && this.peek() === "\r" && this.peek(1) === "\n") this.pos += 2;
    let out = "";
    for (;;) {
      if (this.pos >= this.src.length) this.fail("unterminated string");
      const c = this.peek();
      if (multi ? this.src.startsWith(quote.repeat(3), this.pos) : c === quote) {
        this.pos += multi ? 3 : 1;
        return out;
      }
      if (!multi && c === "\n") this.fail("newline in single-line string");
      if (!literal && c === "\\") {
        out += this.parseEscape();
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private parseEscape(): string {
    const next = this.peek(1);
    this.pos += 2;
    const simple: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };
    if (next in simple) return simple[next]!;
    if (next === "u" || next === "U") {
      const len = next === "u" ? 4 : 8;
      const hex = this.src.slice(this.pos, this.pos + len);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len) this.fail("bad unicode escape");
      this.pos += len;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (next === "\n" || next === "\r" || next === " " || next === "\t") {
      // line-ending backslash in a multi-line basic string: trim whitespace up to the next text
      while (/\s/.test(this.peek())) this.pos++;
      return "";
    }
    this.fail(`bad escape \\${next}`);
  }

  private parseArray(): TomlValue[] {
    this.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      this.skipAll();
      if (this.peek() === "]") {
        this.pos++;
        return items;
      }
      items.push(this.parseValue());
      this.skipAll();
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "]") this.fail("expected ',' or ']' in array");
    }
  }

  private parseInlineTable(): TomlTable {
    this.pos++;
    const table: TomlTable = {};
    this.skipInline();
    if (this.peek() === "}") {
      this.pos++;
      return table;
    }
    for (;;) {
      const keys = this.parseKey();
      this.skipInline();
      if (this.peek() !== "=") this.fail("expected '=' in inline table");
      this.pos++;
      this.skipInline();
      this.assign(table, keys, this.parseValue());
      this.skipInline();
      if (this.peek() === ",") {
        this.pos++;
        continue;
      }
      if (this.peek() === "}") {
        this.pos++;
        return table;
      }
      this.fail("expected ',' or '}' in inline table");
    }
  }
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
