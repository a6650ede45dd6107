import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { gid, type IdSequence } from "../core/ids.ts";
import { LeakyBucket, type BucketLimits } from "../admin/bucket.ts";
import type {
  AccessTokenRecord,
  CollectionRecord,
  CustomerRecord,
  DiscountRecord,
  FlowTriggerRecord,
  MetafieldRecord,
  OrderRecord,
  PlanName,
  ProductRecord,
  StoreCreditAccountRecord,
  VariantRecord,
} from "./types.ts";

export interface ShopSeed {
  /** myshopify domain, e.g. "stammkunde-dev.myshopify.com". */
  domain: string;
  name?: string;
  email?: string;
  currency?: string;
  timezone?: string;
  plan?: PlanName;
  taxesIncluded?: boolean;
  /** Tax rate applied to taxable line items, e.g. 0.19. */
  taxRate?: number;
  taxTitle?: string;
  countryCode?: string;
  /** Offline access tokens valid from the start (scope = the app's scopes). */
  accessTokens?: string[];
  /** Bucket size and restore rate; defaults come from the plan. */
  limits?: Partial<BucketLimits>;
}

const PLAN_DISPLAY: Record<PlanName, string> = {
  basic: "Basic",
  standard: "Shopify",
  advanced: "Advanced",
  plus: "Shopify Plus",
  enterprise: "Commerce Components",
};

/** Everything one shop holds. Records are plain objects; mutate them only through the store APIs. */
export class ShopState {
  readonly id: number;
  readonly domain: string;
  name: string;
  email: string;
  currency: string;
  timezone: string;
  plan: PlanName;
  taxesIncluded: boolean;
  taxRate: number;
  taxTitle: string;
  countryCode: string;
  readonly createdAt: number;
  updatedAt: number;
  installed = true;
  scope: string;

  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, { scope: string; expiresAt: number; accessToken: string }>();
  readonly customers = new Map<number, CustomerRecord>();
  readonly orders = new Map<number, OrderRecord>();
  readonly products = new Map<number, ProductRecord>();
  readonly variants = new Map<number, VariantRecord>();
  readonly collections = new Map<number, CollectionRecord>();
  readonly discounts = new Map<number, DiscountRecord>();
  /** Keyed by owner GID. */
  readonly metafields = new Map<string, MetafieldRecord[]>();
  readonly storeCreditAccounts = new Map<number, StoreCreditAccountRecord>();
  readonly flowTriggers: FlowTriggerRecord[] = [];
  /** Flow workflows the merchant switched on, by trigger handle: the ids of the enabled ones. */
  readonly flowWorkflows = new Map<string, Set<string>>();
  readonly appInstallationId: number;
  nextOrderNumber = 1001;
  readonly bucket: LeakyBucket;

  constructor(
    seed: ShopSeed,
    readonly ids: IdSequence,
    readonly clock: Clock,
    planLimits: Record<PlanName, BucketLimits>,
    defaultScope: string,
  ) {
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(seed.domain)) {
      throw new Error(`shop domain must look like name.myshopify.com, got ${seed.domain}`);
    }
    this.id = ids.take();
    this.appInstallationId = ids.take();
    this.domain = seed.domain;
    const handle = seed.domain.replace(/\.myshopify\.com$/, "");
    this.name = seed.name ?? handle;
    this.email = seed.email ?? `owner@${handle}.example`;
    this.currency = seed.currency ?? "EUR";
    this.timezone = seed.timezone ?? "Europe/Berlin";
    this.plan = seed.plan ?? "standard";
    this.taxesIncluded = seed.taxesIncluded ?? true;
    this.taxRate = seed.taxRate ?? 0.19;
    this.taxTitle = seed.taxTitle ?? "MwSt";
    this.countryCode = seed.countryCode ?? "DE";
    this.scope = defaultScope;
    this.createdAt = clock.now();
    this.updatedAt = this.createdAt;
    this.bucket = new LeakyBucket({ ...planLimits[this.plan], ...seed.limits }, clock);
    for (const token of seed.accessTokens ?? []) this.accessTokens.set(token, { token, scope: defaultScope, online: false });
  }

  get gid(): string {
    return gid("Shop", this.id);
  }

  get handle(): string {
    return this.domain.replace(/\.myshopify\.com$/, "");
  }

  get planDisplayName(): string {
    return PLAN_DISPLAY[this.plan];
  }

  /** Mints a new access token for this shop ("shpat_…" offline, "shpua_…" online). */
  issueAccessToken(options: { scope?: string; online?: boolean; expiresInSec?: number; userId?: number } = {}): AccessTokenRecord {
    const online = options.online ?? false;
    const token = `${online ? "shpua" : "shpat"}_${randomBytes(16).toString("hex")}`;
    const record: AccessTokenRecord = { token, scope: options.scope ?? this.scope, online };
    if (options.expiresInSec !== undefined) record.expiresAt = this.clock.now() + options.expiresInSec * 1000;
    if (options.userId !== undefined) record.userId = options.userId;
    this.accessTokens.set(token, record);
    return record;
  }

  /** The token's record when it exists and has not expired. */
  validToken(token: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(token);
    if (!record) return undefined;
    if (record.expiresAt !== undefined && record.expiresAt <= this.clock.now()) return undefined;
    return record;
  }

  revokeAllTokens(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  /** Customer numberOfOrders: orders that are not cancelled. */
  ordersOf(customerId: number): OrderRecord[] {
    return [...this.orders.values()].filter((o) => o.customerId === customerId);
  }

  findDiscountByCode(code: string): { discount: DiscountRecord; code: DiscountRecord["codes"][number] } | undefined {
    const wanted = code.trim().toLowerCase();
    for (const discount of this.discounts.values()) {
      const hit = discount.codes.find((c) => c.code.toLowerCase() === wanted);
      if (hit) return { discount, code: hit };
    }
    return undefined;
  }

  metafieldsOf(ownerGid: string): MetafieldRecord[] {
    return this.metafields.get(ownerGid) ?? [];
  }

  touch(): void {
    this.updatedAt = this.clock.now();
  }
}
