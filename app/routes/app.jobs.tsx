import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import { listDeadJobs, retryDead } from "~/jobs/queue.server";
import { jobsSignal } from "~/jobs/signal.server";
import { staffOf } from "~/lib/staff.server";
import { readCursor } from "~/lib/paging.server";
import { useT } from "~/lib/use-t";
import { recordAudit } from "~/models/audit.server";
import { authenticate } from "~/shopify.server";

// Failed background work (dead letters): jobs that used up their bounded retries, newest first,
// 50 a page — kind, last error (personal data masked), attempts, when. Never the payload.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const cursor = readCursor(new URL(request.url));
  const db = await database();
  return await listDeadJobs(db.sql, session.shop, { cursor, limit: 50 });
};

// POST intent=retry, id=<job id> → re-queues that dead job of this shop (404 when it isn't one);
// POST intent=retryAll → re-queues all of them. Each retry is in the audit log, in the same
// transaction; a job that is no longer dead (a double click) isn't re-queued twice.
export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const shop = auth.session.shop;
  const form = await request.formData();
  const intent = form.get("intent");
  const answer = (data: unknown, status = 200) => new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });
  let ids: number[] | undefined;
  if (intent === "retry") {
    const id = Number(form.get("id"));
    if (!/^\d{1,15}$/.test(String(form.get("id") ?? "")) || !Number.isSafeInteger(id)) return answer({ ok: false, fieldErrors: { id: "jobs.idInvalid" } }, 422);
    ids = [id];
  } else if (intent !== "retryAll") {
    return answer({ ok: false, fieldErrors: { intent: "jobs.intentInvalid" } }, 400);
  }
  const db = await database();
  const actor = staffOf(auth);
  const retried = await db.sql.tx(async (q) => {
    const done = await retryDead(q, shop, ids);
    for (const id of done) await recordAudit(q, shop, { actor, action: "retry", subjectType: "job", subjectId: id, before: { status: "dead" }, after: { status: "queued" } });
    return done;
  });
  if (ids && retried.length === 0) return answer({ ok: false, error: "not found" }, 404);
  if (retried.length) jobsSignal.emit("enqueued");
  return answer({ ok: true, retried: retried.length });
};

export default function FailedJobs() {
  const { jobs, next, prev } = useLoaderData<typeof loader>();
  const { t, when } = useT();
  const fetcher = useFetcher<{ ok: boolean; retried?: number }>();
  const busy = fetcher.state !== "idle";
  return (
    <Page title={t("jobs.heading")}>
      <TitleBar title={t("jobs.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">{t("jobs.intro")}</Text>
            {fetcher.data?.ok ? <Banner tone="success">{t("jobs.retried", { n: fetcher.data.retried ?? 0 })}</Banner> : null}
            {fetcher.data && !fetcher.data.ok ? <Banner tone="warning">{t("jobs.notRetried")}</Banner> : null}
            <Card padding="0">
              {jobs.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "text"]}
                  headings={[t("jobs.when"), t("jobs.kind"), t("jobs.error"), t("jobs.attempts"), ""]}
                  rows={jobs.map((j) => [
                    j.at ? when(j.at) : "",
                    j.kind,
                    j.error,
                    `${j.attempts} / ${j.maxAttempts}`,
                    <Button key={j.id} size="slim" loading={busy && fetcher.formData?.get("id") === String(j.id)} onClick={() => fetcher.submit({ intent: "retry", id: String(j.id) }, { method: "post" })} accessibilityLabel={`${t("jobs.retry")} #${j.id}`}>
                      {t("jobs.retry")}
                    </Button>,
                  ])}
                />
              ) : (
                <div style={{ padding: 16 }}>
                  <Text as="p" tone="subdued">{t("jobs.none")}</Text>
                </div>
              )}
            </Card>
            <InlineStack align="space-between">
              <Button disabled={!jobs.length} loading={busy && fetcher.formData?.get("intent") === "retryAll"} onClick={() => fetcher.submit({ intent: "retryAll" }, { method: "post" })}>
                {t("jobs.retryAll")}
              </Button>
              <ListPager page={{ next, prev }} labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
            </InlineStack>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
