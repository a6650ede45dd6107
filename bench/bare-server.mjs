// The baseline: the least a webhook receiver can do — node:http, an HMAC check over the raw body,
// one SQLite insert, answer. Measured in the same run as the app so the ratio means something.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import Database from "better-sqlite3";

const db = new Database(process.env.BARE_DB, { timeout: 10_000 });
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)");
const insert = db.prepare("INSERT INTO deliveries (event_id, body) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING");
const secret = process.env.SECRET;

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac("sha256", secret).update(body).digest();
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    insert.run(String(req.headers["x-shopify-event-id"]), body.toString("utf8"));
    res.writeHead(200).end("ok");
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
