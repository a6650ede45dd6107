import type { Clock } from "./clock.ts";
import type { IdSequence } from "./ids.ts";
import type { ShopRegistry } from "../state/registry.ts";
import type { ShopState } from "../state/shop.ts";

/** What the domain operations need from the devstore: ids, time, shops and a way to emit webhooks. */
export interface StoreCore {
  readonly ids: IdSequence;
  readonly clock: Clock;
  readonly shops: ShopRegistry;
  /** Emits a webhook topic for a shop (delivered to every subscription of that topic). */
  emit(shop: ShopState, topic: string, payload: unknown): void;
}
