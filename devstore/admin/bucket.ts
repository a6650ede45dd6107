import type { Clock } from "../core/clock.ts";
import type { PlanName } from "../state/types.ts";

export interface BucketLimits {
  /** maximumAvailable: the bucket size in cost points. */
  bucketSize: number;
  /** restoreRate: points restored per second. */
  restoreRate: number;
}

/** Shopify's published GraphQL Admin limits per plan (bucket sizes configurable per store). */
export const DEFAULT_PLAN_LIMITS: Record<PlanName, BucketLimits> = {
  basic: { bucketSize: 1000, restoreRate: 100 },
  standard: { bucketSize: 1000, restoreRate: 100 },
  advanced: { bucketSize: 1000, restoreRate: 200 },
  plus: { bucketSize: 2000, restoreRate: 1000 },
  enterprise: { bucketSize: 2000, restoreRate: 2000 },
};

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** A leaky bucket that refills continuously from the injected clock. */
export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    private limits: BucketLimits,
    private readonly clock: Clock,
  ) {
    this.available = limits.bucketSize;
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.available = Math.min(this.limits.bucketSize, this.available + elapsed * this.limits.restoreRate);
    this.updatedAt = now;
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.limits.bucketSize,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.limits.restoreRate,
    };
  }

  /** Takes `cost` points if the bucket holds them; false (and nothing taken) otherwise. */
  tryTake(cost: number): boolean {
    this.refill();
    if (this.available < cost) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.limits.bucketSize, this.available + Math.max(0, points));
  }

  /** Empties the bucket (test switch: simulate another process of the app eating the quota). */
  drain(): void {
    this.refill();
    this.available = 0;
  }

  setLimits(limits: BucketLimits): void {
    this.refill();
    this.limits = limits;
    this.available = Math.min(this.available, limits.bucketSize);
  }
}
