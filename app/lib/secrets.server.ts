// Secrets the merchant gives us (the SMTP password, the WhatsApp access token and app secret), encrypted at rest with AES-256-GCM. The key is
// derived from the app's client secret by HKDF-SHA256 with a purpose label, so the database alone
// reveals nothing and rotating the client secret makes stored passwords unreadable (the merchant
// enters them again). Stored form: "v1:" + base64url(iv | tag | ciphertext). The shop is bound in as
// additional data, so a value copied to another shop's row doesn't decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "./env.server";

/** What a secret is for: each purpose has its own key, so a value copied into another column
 *  (the SMTP password into the WhatsApp token) doesn't decrypt either. */
export type SecretPurpose = "smtp-password" | "whatsapp-token" | "whatsapp-app-secret";

function keyFor(secret: string, purpose: SecretPurpose): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), Buffer.from(`stammkunde/${purpose}/v1`, "utf8"), 32));
}

export function encryptSecret(plain: string, shop: string, secret = env().SHOPIFY_API_SECRET, purpose: SecretPurpose = "smtp-password"): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret, purpose), iv);
  cipher.setAAD(Buffer.from(shop, "utf8"));
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64url")}`;
}

export class SecretUnreadableError extends Error {
  constructor() {
    super("the stored secret cannot be decrypted (was the app's client secret changed?)");
    this.name = "SecretUnreadableError";
  }
}

export function decryptSecret(stored: string, shop: string, secret = env().SHOPIFY_API_SECRET, purpose: SecretPurpose = "smtp-password"): string {
  if (!stored.startsWith("v1:")) throw new SecretUnreadableError();
  const raw = Buffer.from(stored.slice(3), "base64url");
  if (raw.length < 28) throw new SecretUnreadableError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(secret, purpose), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(shop, "utf8"));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnreadableError();
  }
}
