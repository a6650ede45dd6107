/** Fault injection for the next N requests to an endpoint group. */
export type Fault =
  | { kind: "error"; status?: number; body?: unknown }
  | { kind: "hang" }
  | { kind: "slow"; delayMs: number }
  | { kind: "throttle" };

export type FaultTarget = "admin" | "oauth" | "proxy";

export class FaultController {
  private readonly queues: Record<FaultTarget, { fault: Fault; remaining: number }[]> = { admin: [], oauth: [], proxy: [] };
  /** Faults applied so far, newest last (for assertions). */
  readonly applied: { target: FaultTarget; fault: Fault }[] = [];

  /** The next `count` requests to `target` get `fault` (queued after earlier faults). */
  next(count: number, fault: Fault, target: FaultTarget = "admin"): this {
    if (!Number.isInteger(count) || count < 1) throw new Error("fault count must be a positive integer");
    this.queues[target].push({ fault, remaining: count });
    return this;
  }

  /** Next N Admin API requests answer with a 5xx (503 by default). */
  failNext(count: number, status = 503): this {
    return this.next(count, { kind: "error", status });
  }

  /** Next N Admin API requests never answer (the client must time out). */
  hangNext(count: number): this {
    return this.next(count, { kind: "hang" });
  }

  /** Next N Admin API requests answer after `delayMs`. */
  slowNext(count: number, delayMs: number): this {
    return this.next(count, { kind: "slow", delayMs });
  }

  /** Next N Admin API requests are THROTTLED regardless of the bucket. */
  throttleNext(count: number): this {
    return this.next(count, { kind: "throttle" });
  }

  take(target: FaultTarget): Fault | undefined {
    const queue = this.queues[target];
    const head = queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    this.applied.push({ target, fault: head.fault });
    return head.fault;
  }

  pending(target: FaultTarget = "admin"): number {
    return this.queues[target].reduce((sum, q) => sum + q.remaining, 0);
  }

  clear(): void {
    for (const key of Object.keys(this.queues) as FaultTarget[]) this.queues[key].splice(0);
  }
}
