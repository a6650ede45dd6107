import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { BlockStack, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import type { MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { useT } from "~/lib/use-t";
import { listAudit } from "~/models/audit.server";
import { authenticate } from "~/shopify.server";

// The audit log: every staff action, newest first, 50 a page.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const cursor = readCursor(new URL(request.url));
  const db = await database();
  return await listAudit(db.sql, session.shop, { cursor, limit: 50 });
};

const short = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v).slice(0, 300));

export default function AuditLog() {
  const { entries, next, prev } = useLoaderData<typeof loader>();
  const { t, when } = useT();
  const [params] = useSearchParams();
  const locale = params.get("locale") ? `&locale=${params.get("locale")}` : "";
  return (
    <Page title={t("audit.heading")}>
      <TitleBar title={t("audit.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">{t("audit.intro")}</Text>
            <Card padding="0">
              {entries.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                  headings={[t("audit.when"), t("audit.who"), t("audit.what"), t("audit.subject"), t("audit.before"), t("audit.after")]}
                  rows={entries.map((e) => [
                    when(e.at),
                    e.actor,
                    t(`audit.action.${e.action}` as MessageKey),
                    e.subjectType === "member" && e.subjectId ? (
                      <Link key={e.id} to={`/app/members/${e.subjectId}${locale ? `?${locale.slice(1)}` : ""}`}>{t("audit.member", { id: e.subjectId })}</Link>
                    ) : e.subjectType === "import" ? (
                      <Link key={e.id} to={`/app/import?id=${e.subjectId}${locale}`}>{t("audit.import", { id: e.subjectId ?? "" })}</Link>
                    ) : (e.subjectType === "reward" || e.subjectType === "campaign") && e.subjectId ? (
                      <Link key={e.id} to={`/app/${e.subjectType}s/${e.subjectId}${locale ? `?${locale.slice(1)}` : ""}`}>{t(`audit.${e.subjectType}`, { id: e.subjectId })}</Link>
                    ) : e.subjectType === "job" ? (
                      <Link key={e.id} to={`/app/jobs${locale ? `?${locale.slice(1)}` : ""}`}>{t("audit.job", { id: e.subjectId ?? "" })}</Link>
                    ) : e.subjectType === "export" && (e.subjectId === "members" || e.subjectId === "ledger") ? (
                      t(`audit.export.${e.subjectId}`)
                    ) : (
                      `${e.subjectType} ${e.subjectId ?? ""}`
                    ),
                    short(e.before),
                    `${short(e.after)}${e.note ? ` — ${e.note}` : ""}`,
                  ])}
                />
              ) : (
                <div style={{ padding: 16 }}>
                  <Text as="p" tone="subdued">{t("audit.none")}</Text>
                </div>
              )}
            </Card>
            <ListPager page={{ next, prev }} labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
