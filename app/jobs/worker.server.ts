// Runs jobs from the outbox: claims a batch under a lease, runs each handler, marks it done or
// schedules a retry with backoff. Runs inline in the app process (demo) or as `npm run worker`;
// several workers on one PostgreSQL share the queue through FOR UPDATE SKIP LOCKED.
import { randomUUID } from "node:crypto";
import { claim, complete, enqueue, fail } from "./queue.server";
import { handlers as defaultHandlers, PermanentJobError, type Handler, type JobContext } from "./handlers.server";
import { runDueSchedules, TODAY_REFRESH_MS } from "./schedules.server";
import { jobsSignal } from "./signal.server";

export interface WorkerOptions {
  id?: string;
  batch?: number;
  pollMs?: number;
  leaseMs?: number;
  handlers?: Record<string, Handler>;
  /** how often to schedule the balance = Σ entries check per shop */
  reconcileEveryMs?: number;
}

export interface RunStats {
  done: number;
  retried: number;
  dead: number;
}

export class Worker {
  readonly id: string;
  private readonly handlers: Record<string, Handler>;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private lastSchedule = 0;
  readonly stats: RunStats = { done: 0, retried: 0, dead: 0 };

  constructor(private readonly ctx: JobContext, private readonly options: WorkerOptions = {}) {
    this.id = options.id ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.handlers = options.handlers ?? defaultHandlers;
  }

  /** Claims and runs one batch; returns how many jobs it ran. */
  async runOnce(now = Date.now()): Promise<number> {
    const jobs = await claim(this.ctx.sql, this.id, this.options.batch ?? 50, this.options.leaseMs ?? 60_000, now);
    for (const job of jobs) {
      const handler = this.handlers[job.kind];
      try {
        if (!handler) throw new PermanentJobError(`no handler for ${job.kind}`);
        await handler(this.ctx, job, now);
        await complete(this.ctx.sql, job, this.id);
        this.stats.done++;
      } catch (error) {
        const permanent = error instanceof PermanentJobError || error instanceof SyntaxError;
        const outcome = await fail(this.ctx.sql, permanent ? { ...job, attempts: job.maxAttempts } : job, this.id, error, now);
        this.stats[outcome === "dead" ? "dead" : "retried"]++;
        this.ctx.log?.(`job ${job.id} ${job.kind} failed (${outcome})`, { error: String(error) });
      }
    }
    return jobs.length;
  }

  /** Runs until no job is due (tests, scripts). */
  async drain(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  /** Enqueues the periodic jobs per shop, deduplicated by slot: the ledger check (hourly by
   *  default), the birthday run (hourly, idempotent per member and year, so a shop's midnight in
   *  any timezone is met within the hour) and today's analytics rollup (every 5 minutes). A run
   *  missed while no worker ran happens at the next tick. */
  async schedule(now = Date.now()): Promise<void> {
    const every = this.options.reconcileEveryMs ?? 3_600_000;
    if (now - this.lastSchedule < Math.min(every, 60_000)) return;
    this.lastSchedule = now;
    const slot = new Date(Math.floor(now / every) * every).toISOString();
    const shops = await this.ctx.sql.all<{ domain: string }>(`SELECT domain FROM shops WHERE uninstalled_at IS NULL`);
    const day = new Date(now).toISOString().slice(0, 13); // hourly: birthdays are checked in each shop's own day
    const todaySlot = new Date(Math.floor(now / TODAY_REFRESH_MS) * TODAY_REFRESH_MS).toISOString();
    for (const { domain } of shops) {
      await enqueue(this.ctx.sql, { shop: domain, kind: "ledger:reconcile", payload: {}, dedupeKey: `reconcile:${slot}`, maxAttempts: 3 });
      await enqueue(this.ctx.sql, { shop: domain, kind: "analytics:today", payload: {}, dedupeKey: `analytics:today:${todaySlot}`, maxAttempts: 3 });
      await enqueue(this.ctx.sql, { shop: domain, kind: "earn:birthdays", payload: {}, dedupeKey: `birthdays:${day}`, maxAttempts: 5 });
    }
    // the nightly tier and expiry run per shop, from the durable schedules table
    await runDueSchedules(this.ctx.sql, now);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const onEnqueued = () => this.wakeUp?.();
    jobsSignal.on("enqueued", onEnqueued);
    this.loop = (async () => {
      while (this.running) {
        let ran = 0;
        try {
          await this.schedule();
          ran = await this.runOnce();
        } catch (error) {
          this.ctx.log?.("worker loop error", { error: String(error) });
        }
        if (ran === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.options.pollMs ?? 500);
            this.wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeUp = undefined;
        }
      }
      jobsSignal.off("enqueued", onEnqueued);
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }
}
