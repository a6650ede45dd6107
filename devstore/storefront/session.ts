import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { newCart, type Cart } from "./cart.ts";

/** The cookie that identifies a storefront visitor (cart, login, shop and language choice). */
export const SESSION_COOKIE = "_devstore_storefront";

export interface ShopVisit {
  /** The logged-in customer of this shop; null for a guest. */
  customerId: number | null;
  cart: Cart;
  /** The email a guest typed at checkout (used to price once-per-customer codes). */
  checkoutEmail: string | null;
}

export interface StorefrontSession {
  readonly id: string;
  /** Chosen with ?shop=; null until chosen. */
  shop: string | null;
  /** Chosen with the language switch; null for the shop's default. */
  locale: string | null;
  readonly visits: Map<string, ShopVisit>;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      out.set(name, part.slice(i + 1).trim());
    }
  }
  return out;
}

/** In-memory sessions keyed by the session cookie. */
export class SessionStore {
  private readonly sessions = new Map<string, StorefrontSession>();

  /** The request's session, if its cookie names one. */
  find(req: IncomingMessage): StorefrontSession | undefined {
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    return id ? this.sessions.get(id) : undefined;
  }

  byId(id: string): StorefrontSession | undefined {
    return this.sessions.get(id);
  }

  create(): StorefrontSession {
    const session: StorefrontSession = { id: randomBytes(18).toString("base64url"), shop: null, locale: null, visits: new Map() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The request's session, created when missing; `setCookie` is the header to send when it is new. */
  resolve(req: IncomingMessage): { session: StorefrontSession; setCookie: string | null } {
    const existing = this.find(req);
    if (existing) return { session: existing, setCookie: null };
    const session = this.create();
    return { session, setCookie: `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax` };
  }

  visit(session: StorefrontSession, shop: string, now: number): ShopVisit {
    let visit = session.visits.get(shop);
    if (!visit) {
      visit = { customerId: null, cart: newCart(now), checkoutEmail: null };
      session.visits.set(shop, visit);
    }
    return visit;
  }

  all(): StorefrontSession[] {
    return [...this.sessions.values()];
  }
}
