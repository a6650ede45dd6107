// Metafields the app owns: app-data metafields on its installation (storefront settings) and
// app-owned customer metafields (members' points), written with metafieldsSet (≤ 25 per call).
import { runGraphql, type AdminGraphql } from "./client.server";

export const APP_INSTALLATION_QUERY = `#graphql
  query StammkundeAppInstallation {
    currentAppInstallation {
      id
    }
  }
`;

export const METAFIELDS_SET = `#graphql
  mutation StammkundeMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

export const MAX_METAFIELDS_PER_CALL = 25;

export interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface MetafieldUserError {
  message: string;
  code: string | null;
  elementIndex: number | null;
}

export async function appInstallationId(graphql: AdminGraphql): Promise<string> {
  const { data } = await runGraphql<{ currentAppInstallation: { id: string } }>(graphql, APP_INSTALLATION_QUERY);
  return data.currentAppInstallation.id;
}

/** Writes up to 25 metafields atomically (Shopify writes all or none); returns Shopify's user errors. */
export async function setMetafields(graphql: AdminGraphql, inputs: MetafieldInput[]): Promise<MetafieldUserError[]> {
  if (inputs.length > MAX_METAFIELDS_PER_CALL) throw new RangeError(`metafieldsSet takes at most ${MAX_METAFIELDS_PER_CALL} metafields`);
  if (!inputs.length) return [];
  const { data } = await runGraphql<{ metafieldsSet: { userErrors: Array<{ message: string; code: string | null; elementIndex: number | null }> } | null }>(graphql, METAFIELDS_SET, { metafields: inputs });
  if (!data.metafieldsSet) return [{ message: "Shopify did not answer metafieldsSet", code: null, elementIndex: null }];
  return data.metafieldsSet.userErrors.map((e) => ({ message: e.message, code: e.code ?? null, elementIndex: e.elementIndex ?? null }));
}
