import { redirect, unstable_parseMultipartFormData, type ActionFunctionArgs, type LoaderFunctionArgs, type UploadHandler } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, ProgressBar, Select, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { ListPager } from "~/components/list-pager";
import { database } from "~/db.server";
import { fe } from "~/domain/errors";
import { IMPORT_FORMATS, splitReason, type ImportFormat } from "~/domain/member-import";
import { jobsSignal } from "~/jobs/signal.server";
import { localizeFieldErrors, requestLocale, type MessageKey } from "~/lib/i18n";
import { readCursor } from "~/lib/paging.server";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { createImport, importErrors, importStatus, ImportFormatError, ImportStateError, listImports, resumeImport, startImport } from "~/models/member-import.server";
import { authenticate } from "~/shopify.server";

const ACTIVE = new Set(["uploading", "validating", "queued", "running"]);
const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

// Import members from a CSV: upload (the format is read from the header row), the dry run's
// report, then the import in the background with its progress.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const url = new URL(request.url);
  const imports = await listImports(db.sql, session.shop, { cursor: readCursor(url), limit: 10 });
  const wanted = Number(url.searchParams.get("id")) || imports.items[0]?.id;
  const current = wanted ? await importStatus(db.sql, session.shop, wanted) : null;
  const report = current ? await importErrors(db.sql, session.shop, current.id, "validate") : null;
  const runReport = current ? await importErrors(db.sql, session.shop, current.id, "run") : null;
  return { imports, current, report, runReport };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const shop = auth.session.shop;
  const actor = staffOf(auth);
  const db = await database();
  if ((request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) {
    let format: ImportFormat | null = null;
    let importId: number | null = null;
    let formatError: ImportFormatError | null = null;
    const handler: UploadHandler = async ({ name, filename, data }) => {
      if (name === "format") {
        let text = "";
        for await (const piece of data) text += new TextDecoder().decode(piece);
        format = (IMPORT_FORMATS as string[]).includes(text) ? (text as ImportFormat) : null;
        return text;
      }
      if (name !== "file" || !filename) {
        for await (const piece of data) void piece; // drain what we don't use
        return undefined;
      }
      try {
        importId = await createImport(db.sql, shop, { filename, actor, format }, data);
      } catch (error) {
        if (!(error instanceof ImportFormatError)) throw error;
        formatError = error;
        for await (const piece of data) void piece;
      }
      return String(importId ?? "");
    };
    try {
      await unstable_parseMultipartFormData(request, handler);
    } catch {
      return json({ ok: false, fieldErrors: { file: "unreadable" } }, 400);
    }
    const refused = formatError as ImportFormatError | null;
    if (refused) return json({ ok: false, fieldErrors: { file: refused.code }, args: refused.args }, 422);
    if (!importId) return json({ ok: false, fieldErrors: { file: "missing" } }, 422);
    jobsSignal.emit("enqueued");
    const locale = new URL(request.url).searchParams.get("locale");
    return redirect(`/app/import?id=${importId}${locale ? `&locale=${locale}` : ""}`);
  }
  const form = await request.formData();
  const id = Number(form.get("id"));
  const intent = form.get("intent");
  if ((intent !== "start" && intent !== "resume") || !Number.isSafeInteger(id)) return json({ ok: false, error: "unknown intent" }, 400);
  try {
    await (intent === "start" ? startImport : resumeImport)(db.sql, shop, id, actor);
  } catch (error) {
    if (error instanceof ImportStateError) return json({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { start: fe(error.status === 404 ? "errors.importUnknown" : "errors.importState") }) }, error.status);
    throw error;
  }
  jobsSignal.emit("enqueued");
  return { ok: true };
};

export default function ImportPage() {
  const { imports, current, report, runReport } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; fieldErrors?: Record<string, string>; args?: Record<string, string> }>();
  const nav = useNavigation();
  const revalidator = useRevalidator();
  const [params] = useSearchParams();
  const { t, n, when } = useT();
  const [format, setFormat] = useState("");
  const active = current ? ACTIVE.has(current.status) : false;
  // progress: the page asks again every second while the import works
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [active, revalidator]);
  const fileError = result?.fieldErrors?.file;
  // row problems are stored as codes (app/domain/member-import.ts), shown in the admin's language
  const reason = (stored: string) => {
    const { code, value } = splitReason(stored);
    return code ? t(`import.reason.${code}` as MessageKey, { value }) : value;
  };
  return (
    <Page title={t("import.heading")}>
      <TitleBar title={t("import.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <Form method="post" encType="multipart/form-data">
                <BlockStack gap="300">
                  <Text as="p">{t("import.intro")}</Text>
                  <Select
                    label={t("import.format")}
                    name="format"
                    value={format}
                    onChange={setFormat}
                    options={[{ label: t("import.format.auto"), value: "" }, ...IMPORT_FORMATS.map((f) => ({ label: t(`import.format.${f}` as MessageKey), value: f }))]}
                  />
                  <label htmlFor="import-file">
                    <Text as="span">{t("import.file")}</Text>
                  </label>
                  <input id="import-file" type="file" name="file" accept=".csv,text/csv" required />
                  {fileError ? (
                    <Banner tone="critical">
                      {fileError === "missing" || fileError === "unreadable" ? t(`import.error.${fileError}` as MessageKey) : t(`import.fileError.${fileError}` as MessageKey, result?.args)}
                    </Banner>
                  ) : null}
                  <InlineStack>
                    <Button submit variant="primary" loading={nav.state === "submitting" && nav.formEncType === "multipart/form-data"}>{t("import.upload")}</Button>
                  </InlineStack>
                  <Text as="p" tone="subdued">{t("import.generic")}</Text>
                </BlockStack>
              </Form>
            </Card>
            {current ? (
              <Card>
                <BlockStack gap="300">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingMd">{current.filename}</Text>
                    {current.format ? <Badge>{t(`import.format.${current.format}` as MessageKey)}</Badge> : null}
                    <Badge tone={current.status === "done" ? "success" : current.status === "failed" ? "critical" : "info"}>
                      {t(`import.status.${current.status}` as MessageKey)}
                    </Badge>
                  </InlineStack>
                  <div id="import-progress" data-percent={current.percent} data-status={current.status}>
                    <ProgressBar progress={current.percent} tone={current.status === "failed" ? "critical" : "primary"} />
                  </div>
                  <Text as="p" id="import-progress-text">{t("import.progress", { percent: current.percent, done: n(current.status === "done" ? current.totalRows : current.doneRows), total: n(current.totalRows) })}</Text>
                  {current.status !== "validating" && current.status !== "uploading" ? (
                    <Text as="p" id="import-summary">{t("import.summary", { total: n(current.totalRows), valid: n(current.validRows), bad: n(current.badRows) })}</Text>
                  ) : null}
                  {current.status === "done" ? <Banner tone="success">{t("import.done", { imported: n(current.importedRows), skipped: n(current.skippedRows), points: n(current.pointsImported) })}</Banner> : null}
                  {current.status === "failed" ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="resume" />
                      <input type="hidden" name="id" value={current.id} />
                      <BlockStack gap="200">
                        <Banner tone="critical">{t("import.failed", { error: current.lastError ?? "" })}</Banner>
                        <InlineStack>
                          <Button submit>{t("import.resume")}</Button>
                        </InlineStack>
                      </BlockStack>
                    </Form>
                  ) : null}
                  {current.status === "validated" ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="start" />
                      <input type="hidden" name="id" value={current.id} />
                      <BlockStack gap="200">
                        <Text as="p">{current.badRows > 0 ? t("import.startWithBad", { valid: n(current.validRows), bad: n(current.badRows) }) : t("import.startAll", { valid: n(current.validRows) })}</Text>
                        {result?.fieldErrors?.start ? <Banner tone="critical">{result.fieldErrors.start}</Banner> : null}
                        <InlineStack>
                          <Button submit variant="primary" disabled={current.validRows === 0} loading={nav.state === "submitting" && nav.formData?.get("intent") === "start"}>
                            {t("import.start")}
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    </Form>
                  ) : null}
                  {report && report.total > 0 ? (
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingSm">{t("import.report", { count: n(report.total) })}</Text>
                      <div id="import-report">
                        <DataTable
                          columnContentTypes={["numeric", "text", "text"]}
                          headings={[t("import.row"), t("import.column"), t("import.reason")]}
                          rows={report.errors.map((e) => [e.row, e.column, reason(e.reason)])}
                        />
                      </div>
                      {report.total > report.errors.length ? <Text as="p" tone="subdued">{t("import.more", { count: n(report.total - report.errors.length) })}</Text> : null}
                    </BlockStack>
                  ) : current.status !== "validating" && current.status !== "uploading" ? (
                    <Text as="p" tone="success">{t("import.allGood")}</Text>
                  ) : null}
                  {runReport && runReport.total > 0 ? (
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingSm">{t("import.runReport", { count: n(runReport.total) })}</Text>
                      <DataTable
                        columnContentTypes={["numeric", "text", "text"]}
                        headings={[t("import.row"), t("import.column"), t("import.reason")]}
                        rows={runReport.errors.map((e) => [e.row, e.column, reason(e.reason)])}
                      />
                    </BlockStack>
                  ) : null}
                </BlockStack>
              </Card>
            ) : null}
            {imports.items.length > 1 || imports.next !== null || imports.prev !== null ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">{t("import.earlier")}</Text>
                  {imports.items.map((i) => (
                    <Text as="p" key={i.id}>
                      <Link to={`/app/import?${new URLSearchParams([...params].filter(([k]) => k !== "id").concat([["id", String(i.id)]]))}`}>{i.filename}</Link> · {t(`import.status.${i.status}` as MessageKey)} · {when(i.createdAt)}
                    </Text>
                  ))}
                  <ListPager page={imports} labels={{ previous: t("paging.newer"), next: t("paging.older") }} />
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
