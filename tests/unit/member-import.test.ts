import { describe, expect, it } from "vitest";
import { CsvReader, csvField, csvLine, detectDelimiter, parseCsv } from "~/domain/csv";
import { detectFormat, ImportFormatError, mapColumns, parseBirthday, parseHistory, readRow, reasonText, REASONS, rowEntries, splitReason } from "~/domain/member-import";
import { LOCALES } from "~/lib/i18n";
import { fold, parseAdjustment, prefixUpperBound, searchPlan } from "~/domain/members";

describe("CSV reading", () => {
  it.each([
    ["a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]],
    ["a,b\n1,2", [["a", "b"], ["1", "2"]]],
    ['a,b\n"x, y","say ""hi"""\n', [["a", "b"], ["x, y", 'say "hi"']]],
    ['a,b\n"two\nlines",2\n', [["a", "b"], ["two\nlines", "2"]]],
    ["\uFEFFemail;points\nx@y.de;5\n", [["email", "points"], ["x@y.de", "5"]]],
    ["a\tb\n1\t2\n", [["a", "b"], ["1", "2"]]],
    ["a,b\n\n1,2\n\n", [["a", "b"], ["1", "2"]]],
    ['a,b\n1,""\n', [["a", "b"], ["1", ""]]],
  ])("parses %j", (text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  it("gives the same records whatever the size of the pieces it is fed", () => {
    const text = 'email,points,history\r\n"a@x.de",10,"2024-01-01|5|x;2024-02-01|5|""y"""\r\nb@x.de,"2,0",\r\n"c\r\nd",3,""\r\n';
    const whole = parseCsv(text);
    for (const size of [1, 2, 3, 5, 7, 13]) {
      const r = new CsvReader();
      const out: string[][] = [];
      for (let i = 0; i < text.length; i += size) out.push(...r.push(text.slice(i, i + size)));
      out.push(...r.end());
      expect(out, `pieces of ${size}`).toEqual(whole);
    }
    expect(whole[1]![2]).toBe('2024-01-01|5|x;2024-02-01|5|"y"');
  });

  it("detects the delimiter from the header line", () => {
    expect(detectDelimiter("email;points;tier")).toBe(";");
    expect(detectDelimiter('"a;b",c')).toBe(",");
    expect(detectDelimiter("a\tb\tc")).toBe("\t");
  });

  it("writes fields safely: quotes, separators and formulas", () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField(-5)).toBe("-5");
    expect(csvField(null)).toBe("");
    expect(csvLine(["a", 1, true])).toBe("a,1,true\r\n");
    expect(parseCsv(csvLine(["x\ny", 'q"', "-1"]))).toEqual([["x\ny", 'q"', "'-1"]]);
  });
});

describe("import formats", () => {
  it.each([
    [["email", "points"], "generic"],
    [["email", "points", "tier", "birthday", "referral_code", "history"], "generic"],
    [["customer_id", "email", "points"], "generic"],
    [["First name", "Last name", "Email", "Points balance", "Membership status", "VIP tier", "Date of birth", "Referral url"], "smile"],
    [["merchant_id", "email", "first_name", "last_name", "points_approved", "points_pending", "points_spent", "tier", "birthday"], "loyaltylion"],
    [["Email", "First Name", "Last Name", "Points Balance", "Points Earned", "Points Spent", "VIP Tier", "Birthday", "Referral Link"], "yotpo"],
  ] as const)("%j is %s", (header, format) => {
    expect(detectFormat([...header])).toBe(format);
  });

  it("refuses a header no format knows, naming its columns", () => {
    expect(() => detectFormat(["name", "balance"])).toThrow(ImportFormatError);
    expect(() => detectFormat(["name", "balance"])).toThrow(/name, balance/);
  });

  it("a chosen format names the column it lacks", () => {
    expect(() => mapColumns("smile", ["email", "points"])).toThrow(/pointsbalance/);
    try {
      mapColumns("smile", ["email", "points"]);
    } catch (error) {
      expect(error).toMatchObject({ code: "missingColumn", args: { format: "smile", column: "pointsbalance" } });
    }
  });
});

describe("reading rows", () => {
  const generic = mapColumns("generic", ["email", "points", "tier", "birthday", "referral_code", "history", "customer_id"]);
  it("reads a good row", () => {
    const r = readRow(generic, ["Erika@Example.DE", "120", "Gold", "1990-07-04", "ERIKA10", "2024-01-05|100|purchase;2024-03-01|20|review", ""], 2);
    expect(r.errors).toEqual([]);
    expect(r.row).toEqual({
      row: 2, email: "erika@example.de", customerGid: null, firstName: null, lastName: null, points: 120, tier: "Gold", birthday: "07-04", referralCode: "ERIKA10",
      history: [{ date: "2024-01-05", points: 100, reason: "purchase" }, { date: "2024-03-01", points: 20, reason: "review" }],
    });
  });

  it.each([
    [["not-an-email", "10", "", "", "", "", ""], "email", "email.invalid"],
    [["", "10", "", "", "", "", ""], "email", "email.required"],
    [["a@b.de", "1.234", "", "", "", "", ""], "points", "points.whole"],
    [["a@b.de", "-5", "", "", "", "", ""], "points", "points.negative"],
    [["a@b.de", "10", "", "31.02.1990", "", "", ""], "birthday", "birthday.invalid"],
    [["a@b.de", "10", "", "", "", "2024-01-05|x|y", ""], "history", "history.points:2024-01-05|x|y"],
    [["a@b.de", "10", "", "", "", "", "abc"], "customer_id", "customerId.invalid"],
  ])("names the column of a bad row: %j", (fields, column, reason) => {
    const r = readRow(generic, fields, 7);
    expect(r.row).toBeUndefined();
    expect(r.errors).toContainEqual({ row: 7, column, reason });
  });

  it("a customer id makes the email optional; numbers become GIDs", () => {
    expect(readRow(generic, ["", "5", "", "", "", "", "123"], 3).row?.customerGid).toBe("gid://shopify/Customer/123");
  });

  it("LoyaltyLion's merchant_id is the Shopify customer; approved points are the balance", () => {
    const map = mapColumns("loyaltylion", ["merchant_id", "email", "points_approved", "points_pending"]);
    expect(readRow(map, ["987", "x@y.de", "40", "10"], 2).row).toMatchObject({ customerGid: "gid://shopify/Customer/987", points: 40 });
  });

  it("Yotpo's full name is split when there are no name columns", () => {
    const map = mapColumns("yotpo", ["Email", "Full Name", "Points Balance"]);
    expect(readRow(map, ["x@y.de", "Anna Lena Müller", "7"], 2).row).toMatchObject({ firstName: "Anna", lastName: "Lena Müller", points: 7 });
  });

  it("every problem with a row has its text in English and German; the English is the domain's", () => {
    for (const [code, text] of Object.entries(REASONS)) {
      expect((LOCALES.en as Record<string, string>)[`import.reason.${code}`], code).toBe(text);
      expect((LOCALES.de as Record<string, string>)[`import.reason.${code}`], code).toBeTruthy();
    }
    expect(splitReason("duplicate:7")).toEqual({ code: "duplicate", value: "7" });
    expect(splitReason("something else")).toEqual({ code: null, value: "something else" });
    expect(reasonText("duplicate:7")).toBe("the same member as row 7");
  });

  it.each([
    ["1990-07-04", "07-04"],
    ["07-04", "07-04"],
    ["7/4", "07-04"],
    ["07/04/1990", "07-04"],
    ["04.07.1990", "07-04"],
    ["29.02.", "02-29"],
    ["1990-02-30", null],
    ["13/01", null],
    ["soon", null],
  ])("birthday %s → %s", (raw, md) => {
    expect(parseBirthday(raw)).toBe(md);
  });

  it("history: entries, and what is wrong with one", () => {
    expect(parseHistory("2024-01-01|+5|a; 2024-01-02|-3|b|c")).toEqual([{ date: "2024-01-01", points: 5, reason: "a" }, { date: "2024-01-02", points: -3, reason: "b|c" }]);
    expect(parseHistory("01.01.2024|5|a")).toBe("history.date:01.01.2024|5|a");
    expect(parseHistory("2024-01-01|0|a")).toBe("history.points:2024-01-01|0|a");
    expect(parseHistory("2024-01-01|5|")).toBe("history.reason:2024-01-01|5|");
    expect(reasonText("history.date:01.01.2024|5|a")).toBe("history entry “01.01.2024|5|a”: the date must be YYYY-MM-DD");
  });

  it("a row's entries: its history, then what makes the total equal the balance, each with a key from the import and row", () => {
    const row = readRow(generic, ["a@b.de", "100", "", "", "", "2024-01-01|80|purchase;2024-02-01|-30|reward", ""], 5).row!;
    const entries = rowEntries(42, row);
    expect(entries.map((e) => [e.key, e.points])).toEqual([["import:42:5:1", 80], ["import:42:5:2", -30], ["import:42:5", 50]]);
    expect(entries.reduce((s, e) => s + e.points, 0)).toBe(100);
    expect(rowEntries(42, { ...row, history: [] }).map((e) => e.key)).toEqual(["import:42:5"]);
    expect(rowEntries(42, { ...row, points: 0, history: [] })).toEqual([]);
  });
});

describe("member search and adjustments", () => {
  it("folds Unicode case", () => {
    expect(fold("  ÖZTÜRK ")).toBe("öztürk");
    expect(fold("")).toBeNull();
  });

  it("plans prefix searches on indexed columns", () => {
    expect(searchPlan("")).toEqual({ kind: "all" });
    expect(searchPlan("Erika@")).toEqual([{ kind: "prefix", column: "search_email", prefix: "erika@" }]);
    const plan = searchPlan("Erika  Must");
    expect(Array.isArray(plan) && plan.map((p) => `${p.column}:${p.prefix}${p.and ? `+${p.and.prefix}` : ""}`)).toEqual([
      "search_email:erika must",
      "search_first:erika must",
      "search_last:erika must",
      "search_first:erika+must",
    ]);
  });

  it("the upper bound of a prefix range is just above every string with that prefix", () => {
    expect(prefixUpperBound("ab")).toBe("ac");
    expect("abzzz" < prefixUpperBound("ab")).toBe(true);
    expect(prefixUpperBound("zü")).toBe("zý");
  });

  it.each([
    [{ points: "50", reason: "goodwill", token: "abcdefgh12" }, { points: 50, reason: "goodwill", note: null, allowNegative: false }],
    [{ points: "+5", reason: " x ", note: " n ", allowNegative: "on", token: "abcdefgh12" }, { points: 5, reason: "x", note: "n", allowNegative: true }],
  ])("accepts %j", (form, value) => {
    expect(parseAdjustment(form)).toEqual({ ok: true, value: { ...value, token: "abcdefgh12" } });
  });

  it.each([
    [{ points: "1.5", reason: "x", token: "abcdefgh12" }, { points: "points.whole" }],
    [{ points: "0", reason: "x", token: "abcdefgh12" }, { points: "points.zero" }],
    [{ points: "99999999", reason: "x", token: "abcdefgh12" }, { points: "points.tooMany" }],
    [{ points: "5", reason: "", token: "abcdefgh12" }, { reason: "reason.required" }],
    [{ points: "5", reason: "x", token: "" }, { token: "token.invalid" }],
  ])("refuses %j", (form, fieldErrors) => {
    expect(parseAdjustment(form)).toEqual({ ok: false, fieldErrors });
  });
});
