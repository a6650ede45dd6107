import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Layout, Page, Pagination, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { database } from "~/db.server";
import { useT } from "~/lib/use-t";
import { searchMembers } from "~/models/members.server";
import { authenticate } from "~/shopify.server";

// Members: search by name or email (prefix, any case), newest first, 50 a page.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.slice(0, 100) ?? "";
  const after = Number(url.searchParams.get("after")) || null;
  const db = await database();
  const page = await searchMembers(db.sql, session.shop, q, after);
  return { q, after, ...page };
};

export default function Members() {
  const { q, after, members, next } = useLoaderData<typeof loader>();
  const { t, n, locale } = useT();
  const [query, setQuery] = useState(q);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const keep = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    if (params.get("locale")) p.set("locale", params.get("locale")!);
    for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
    return p.size ? `?${p}` : "";
  };
  return (
    <Page title={t("members.heading")}>
      <TitleBar title={t("members.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <Form method="get">
                <input type="hidden" name="locale" value={locale} />
                <InlineStack gap="200" blockAlign="end" wrap={false}>
                  <div style={{ flexGrow: 1 }}>
                    <TextField label={t("members.search")} name="q" value={query} onChange={setQuery} autoComplete="off" placeholder={t("members.searchHint")} clearButton onClearButtonClick={() => setQuery("")} />
                  </div>
                  <Button submit>{t("members.searchButton")}</Button>
                </InlineStack>
              </Form>
            </Card>
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: t("members.singular"), plural: t("members.plural") }}
                itemCount={members.length}
                selectable={false}
                emptyState={<Text as="p" tone="subdued">{q ? t("members.noneFound", { q }) : t("members.none")}</Text>}
                headings={[
                  { title: t("members.col.name") },
                  { title: t("members.col.email") },
                  { title: t("members.col.available"), alignment: "end" },
                  { title: t("members.col.pending"), alignment: "end" },
                  { title: t("members.col.lifetime"), alignment: "end" },
                  { title: t("members.col.status") },
                ]}
              >
                {members.map((m, i) => (
                  <IndexTable.Row id={String(m.id)} key={m.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={`/app/members/${m.id}${keep({})}`} data-member-link={m.id}>
                        {m.name || t("members.unnamed")}
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{m.email ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>{n(m.pointsAvailable)}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>{n(m.pointsPending)}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>{n(m.lifetimeEarned)}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="100">
                        {m.excluded ? <Badge tone="warning">{t("member.excluded")}</Badge> : null}
                        {m.blocked ? <Badge tone="critical">{t("member.blocked")}</Badge> : null}
                      </InlineStack>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
            <InlineStack align="center">
              <Pagination
                hasPrevious={Boolean(after)}
                onPrevious={() => navigate(-1)}
                hasNext={next !== null}
                onNext={() => navigate(keep({ q, after: String(next) }))}
              />
            </InlineStack>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
