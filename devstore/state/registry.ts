import type { Clock } from "../core/clock.ts";
import type { IdSequence } from "../core/ids.ts";
import type { BucketLimits } from "../admin/bucket.ts";
import type { PlanName } from "./types.ts";
import { ShopState, type ShopSeed } from "./shop.ts";

/** All shops of one devstore; the first one is the default for APIs called without `shop`. */
export class ShopRegistry {
  private readonly shops = new Map<string, ShopState>();

  constructor(
    private readonly ids: IdSequence,
    private readonly clock: Clock,
    private readonly planLimits: Record<PlanName, BucketLimits>,
    private readonly defaultScope: string,
  ) {}

  create(seed: ShopSeed): ShopState {
    if (this.shops.has(seed.domain)) throw new Error(`shop ${seed.domain} already exists`);
    const shop = new ShopState(seed, this.ids, this.clock, this.planLimits, this.defaultScope);
    this.shops.set(shop.domain, shop);
    return shop;
  }

  /** The named shop, or the default (first) shop when no domain is given. */
  get(domain?: string): ShopState {
    if (domain === undefined) {
      const first = this.shops.values().next();
      if (first.done) throw new Error("the devstore has no shops");
      return first.value;
    }
    const shop = this.shops.get(domain);
    if (!shop) throw new Error(`unknown shop ${domain}`);
    return shop;
  }

  find(domain: string | undefined | null): ShopState | undefined {
    return domain ? this.shops.get(domain.toLowerCase()) : undefined;
  }

  all(): ShopState[] {
    return [...this.shops.values()];
  }

  /** The shop an access token belongs to (valid, unexpired tokens only). */
  byAccessToken(token: string): ShopState | undefined {
    return this.all().find((s) => s.validToken(token));
  }
}
