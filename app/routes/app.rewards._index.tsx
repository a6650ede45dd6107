import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { database } from "~/db.server";
import { rewardPreview } from "~/domain/reward-form";
import type { MessageKey } from "~/lib/i18n";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { programOf } from "~/models/earning.server";
import { listRewardsAdmin, setRewardEnabledAdmin } from "~/models/rewards-admin.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

// The reward catalogue: every reward, on or off, with its cost and how often it was redeemed.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const tiers = new Map(programOf(shop).tiers.levels.map((l) => [l.id, l.name.en]));
  const rows = await listRewardsAdmin(db.sql, session.shop);
  return {
    rewards: rows.map((r) => ({
      id: r.id,
      type: r.reward.type,
      title: r.reward.texts,
      pointsCost: r.reward.pointsCost,
      enabled: r.enabled,
      redeemed: r.redeemed,
      used: r.used,
      preview: { en: rewardPreview(r.reward, shop.currency_code, "en", tiers), de: rewardPreview(r.reward, shop.currency_code, "de", tiers) },
    })),
  };
};

// Switching a reward on or off from the list (how a merchant retires one: rewards are never deleted).
export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const form = await request.formData();
  const id = Number(form.get("id"));
  const intent = form.get("intent");
  if (!Number.isSafeInteger(id) || (intent !== "enable" && intent !== "disable")) return new Response("bad request", { status: 400 });
  const db = await database();
  const found = await setRewardEnabledAdmin(db.sql, auth.session.shop, id, intent === "enable", staffOf(auth));
  if (!found) return new Response("not found", { status: 404 });
  return { ok: true };
};

export default function Rewards() {
  const { rewards } = useLoaderData<typeof loader>();
  const { t, n, locale } = useT();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get("locale") ? `?locale=${params.get("locale")}` : "";
  return (
    <Page title={t("rewards.heading")} primaryAction={{ content: t("rewards.new"), onAction: () => navigate(`/app/rewards/new${q}`) }}>
      <TitleBar title={t("rewards.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">{t("rewards.intro")}</Text>
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: t("rewards.singular"), plural: t("rewards.plural") }}
                itemCount={rewards.length}
                selectable={false}
                emptyState={<Text as="p" tone="subdued">{t("rewards.none")}</Text>}
                headings={[
                  { title: t("rewards.col.title") },
                  { title: t("rewards.col.type") },
                  { title: t("rewards.col.cost"), alignment: "end" },
                  { title: t("rewards.col.redeemed"), alignment: "end" },
                  { title: t("rewards.col.status") },
                  { title: "" },
                ]}
              >
                {rewards.map((r, i) => (
                  <IndexTable.Row id={String(r.id)} key={r.id} position={i}>
                    <IndexTable.Cell>
                      <BlockStack gap="100">
                        <Link to={`/app/rewards/${r.id}${q}`} data-reward-link={r.id}>
                          {r.title[locale].title}
                        </Link>
                        <Text as="span" tone="subdued" variant="bodySm">{r.preview[locale]}</Text>
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{t(`rewards.type.${r.type}` as MessageKey)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>{n(r.pointsCost)}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>{n(r.redeemed)}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.enabled ? <Badge tone="success">{t("rewards.on")}</Badge> : <Badge>{t("rewards.off")}</Badge>}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Form method="post">
                        <input type="hidden" name="id" value={r.id} />
                        <input type="hidden" name="intent" value={r.enabled ? "disable" : "enable"} />
                        <Button submit size="slim">{r.enabled ? t("rewards.disable") : t("rewards.enable")}</Button>
                      </Form>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
