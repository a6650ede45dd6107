// CSV in and out, streaming: RFC 4180 quoting, any line ending, a byte-order mark, and the
// delimiter a spreadsheet chose (comma, or semicolon as German Excel writes it, or tab), detected
// from the header line.

export type Delimiter = "," | ";" | "\t";

/** The delimiter used in a header line: the most frequent of , ; and tab outside quotes. */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts: Record<Delimiter, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "," || ch === ";" || ch === "\t")) counts[ch]++;
  }
  return counts[";"] > counts[","] && counts[";"] >= counts["\t"] ? ";" : counts["\t"] > counts[","] ? "\t" : ",";
}

/**
 * Splits text fed in pieces of any size into records. `push` returns the records completed by
 * that piece; `end` returns the last one. Quoted fields may hold delimiters, quotes ("") and
 * line breaks. Blank lines are skipped.
 */
export class CsvReader {
  private delimiter: Delimiter | null;
  private field = "";
  private record: string[] = [];
  private quoted = false;
  private afterQuote = false;
  private started = false;
  private pending = "";
  private sawCR = false;

  constructor(delimiter?: Delimiter) {
    this.delimiter = delimiter ?? null;
  }

  get detected(): Delimiter | null {
    return this.delimiter;
  }

  push(text: string): string[][] {
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.delimiter === null) {
      // wait for the whole header line before choosing the delimiter
      this.pending += text;
      const nl = this.pending.search(/[\r\n]/);
      if (nl < 0) return [];
      this.delimiter = detectDelimiter(this.pending.slice(0, nl));
      text = this.pending;
      this.pending = "";
    }
    return this.scan(text);
  }

  end(): string[][] {
    const out: string[][] = [];
    if (this.delimiter === null) {
      this.delimiter = detectDelimiter(this.pending);
      out.push(...this.scan(this.pending));
      this.pending = "";
    }
    if (this.field !== "" || this.record.length > 0 || this.afterQuote) this.finishRecord(out);
    return out;
  }

  private finishRecord(out: string[][]) {
    this.record.push(this.field);
    this.field = "";
    this.afterQuote = false;
    const r = this.record;
    this.record = [];
    if (r.length === 1 && r[0] === "") return; // blank line
    out.push(r);
  }

  private scan(text: string): string[][] {
    const out: string[][] = [];
    const d = this.delimiter!;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const ch = text[i];
      if (this.sawCR) {
        this.sawCR = false;
        if (ch === "\n") {
          i++;
          continue;
        }
      }
      if (this.quoted) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          this.field += text.slice(i);
          break;
        }
        this.field += text.slice(i, q);
        if (q + 1 >= n) {
          // a quote at the end of the piece: an escaped quote or the closing one; decide later
          this.quoted = false;
          this.afterQuote = true;
          i = q + 1;
          continue;
        }
        if (text[q + 1] === '"') {
          this.field += '"';
          i = q + 2;
        } else {
          this.quoted = false;
          this.afterQuote = true;
          i = q + 1;
        }
        continue;
      }
      if (ch === '"') {
        if (this.afterQuote) {
          // "" split across two pieces: an escaped quote inside the quoted field
          this.field += '"';
          this.quoted = true;
          this.afterQuote = false;
        } else if (this.field === "") this.quoted = true;
        else this.field += ch; // a stray quote inside an unquoted field is kept
        i++;
        continue;
      }
      if (ch === d) {
        this.record.push(this.field);
        this.field = "";
        this.afterQuote = false;
        i++;
        continue;
      }
      if (ch === "\n" || ch === "\r") {
        this.finishRecord(out);
        if (ch === "\r") this.sawCR = true;
        i++;
        continue;
      }
      // plain run of characters up to the next special one
      let j = i + 1;
      while (j < n) {
        const c = text[j];
        if (c === d || c === "\n" || c === "\r" || c === '"') break;
        j++;
      }
      this.field += text.slice(i, j);
      this.afterQuote = false;
      i = j;
    }
    return out;
  }
}

/** Parses a whole CSV text (tests, small files). */
export function parseCsv(text: string, delimiter?: Delimiter): string[][] {
  const r = new CsvReader(delimiter);
  return [...r.push(text), ...r.end()];
}

/**
 * One CSV field. Text that a spreadsheet would run as a formula (starting with = + - @ or a tab)
 * gets a leading apostrophe (OWASP's advice on CSV injection); numbers are written as they are.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: Array<string | number | boolean | null | undefined>): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
