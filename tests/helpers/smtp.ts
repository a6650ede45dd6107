// A real SMTP server (npm smtp-server) on a free local port that keeps what it receives, parsed
// with mailparser, for tests and the demo to assert on. Optional AUTH with one user; `rejectNext`
// answers the next n messages with a temporary failure (451) after the DATA.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  /** the user that authenticated (undefined without AUTH) */
  user: string | undefined;
  raw: string;
}

export interface TestSmtp {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** AUTH attempts with their user and password, to check what the app sent */
  logins: Array<{ user: string; ok: boolean }>;
  rejectNext(n: number): void;
  /** resolves once `n` messages have arrived (or rejects after `ms`) */
  waitFor(n: number, ms?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(opts: { user?: string; password?: string; port?: number; onMessage?: (m: ReceivedMail) => void } = {}): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const logins: TestSmtp["logins"] = [];
  let reject = 0;
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: opts.user ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authOptional: !opts.user,
    logger: false,
    // no reverse DNS of 127.0.0.1 per connection
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      const ok = auth.username === opts.user && auth.password === opts.password;
      logins.push({ user: auth.username ?? "", ok });
      if (!ok) return cb(new Error("Invalid username or password"));
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (reject > 0) {
          reject--;
          const err = new Error("try again later") as Error & { responseCode: number };
          err.responseCode = 451;
          return cb(err);
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((m) => {
            const mail: ReceivedMail = {
              from: m.from?.value[0]?.address ?? "",
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: m.subject ?? "",
              text: m.text ?? "",
              html: typeof m.html === "string" ? m.html : "",
              messageId: m.messageId ?? "",
              headers: m.headers as Map<string, unknown>,
              user: typeof session.user === "string" ? session.user : undefined,
              raw: raw.toString("utf8"),
            };
            messages.push(mail);
            opts.onMessage?.(mail);
            for (const w of waiters.splice(0)) w();
            cb();
          })
          .catch((e: Error) => cb(e));
      });
    },
  });
  await new Promise<void>((resolve, rejectListen) => {
    server.server.once("error", rejectListen);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    messages,
    logins,
    rejectNext(n) {
      reject = n;
    },
    async waitFor(n, ms = 5000) {
      const until = Date.now() + ms;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} messages, got ${messages.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
