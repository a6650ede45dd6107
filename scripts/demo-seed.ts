// Demo data for the offline store: ~50 customers with an order history, placed and paid through
// the store so the app receives the real webhooks and earns the points itself.
import type { DevStore } from "../devstore/index.ts";

const FIRST = ["Erika", "Max", "Sophie", "Lukas", "Mia", "Jonas", "Lea", "Felix", "Hannah", "Paul", "Emma", "Leon", "Anna", "Noah", "Lena", "Elias", "Marie", "Ben", "Clara", "Finn"];
const LAST = ["Mustermann", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf"];

/** A small deterministic generator, so every demo has the same shoppers. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface DemoSeed {
  demoShopper: { id: number; email: string; name: string };
  customers: number;
  orders: number;
}

export function seedDemo(store: DevStore, count = 50): DemoSeed {
  const rnd = prng(20261125);
  const shop = store.shops.get();
  const variants = [...shop.variants.values()];
  let orders = 0;
  let demoShopper: DemoSeed["demoShopper"] | undefined;
  for (let i = 0; i < count; i++) {
    const first = i === 0 ? "Erika" : FIRST[Math.floor(rnd() * FIRST.length)];
    const last = i === 0 ? "Mustermann" : LAST[Math.floor(rnd() * LAST.length)];
    const email = `${first}.${last}.${i}`.toLowerCase().replace(/ü/g, "ue").replace(/ö/g, "oe").replace(/ä/g, "ae") + "@example.com";
    const customer = store.customers.create({ firstName: first, lastName: last, email, locale: rnd() < 0.7 ? "de" : "en", emailMarketing: rnd() < 0.5 ? "SUBSCRIBED" : "NOT_SUBSCRIBED" });
    if (i === 0) demoShopper = { id: customer.id, email, name: `${first} ${last}` };
    const history = i === 0 ? 2 : Math.floor(rnd() * 4);
    for (let o = 0; o < history; o++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ variantId: variants[Math.floor(rnd() * variants.length)].id, quantity: 1 + Math.floor(rnd() * 2) }));
      store.orders.create({ customerId: customer.id, lineItems: lines, shipping: { title: "Standard", price: "4.90" } });
      orders++;
    }
  }
  return { demoShopper: demoShopper!, customers: count, orders };
}
