import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, IndexTable, InlineStack, Layout, Page, ProgressBar, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { database } from "~/db.server";
import { budgetsToForm, CAP_PERIODS, campaignStatus, formToBudgets } from "~/domain/campaign-form";
import { localDate } from "~/domain/periods";
import { RULE_KEYS } from "~/domain/program";
import { localizeFieldErrors, requestLocale, type MessageKey } from "~/lib/i18n";
import { staffOf } from "~/lib/staff.server";
import { useT } from "~/lib/use-t";
import { budgetUsage, changeProgram } from "~/models/campaigns-admin.server";
import { programOf } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { authenticate } from "~/shopify.server";

// Bonus campaigns and the program's budgets: stacking, caps per rule and period, the daily cap
// per member, each with what the counters say is used.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const shop = await ensureShop(db.sql, session.shop);
  const program = programOf(shop);
  const today = localDate(Date.now(), shop.iana_timezone);
  const usage = await budgetUsage(db.sql, session.shop, program, shop.iana_timezone);
  return {
    timeZone: shop.iana_timezone,
    campaigns: program.campaigns.map((c) => ({
      id: c.id,
      name: c.name,
      status: campaignStatus(c, today),
      effect: c.effect.type,
      window: c.window,
      budget: c.budgetPoints === undefined ? null : { limit: c.budgetPoints, used: usage.campaigns[c.id] ?? 0 },
    })),
    form: budgetsToForm(program),
    usage,
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const data = await request.formData();
  if (data.get("intent") !== "budgets") return new Response("bad request", { status: 400 });
  const form: Record<string, string> = {};
  for (const [k, v] of data.entries()) if (typeof v === "string") form[k] = v;
  const db = await database();
  const result = await changeProgram(db.sql, auth.session.shop, staffOf(auth), { action: "budgets", subjectType: "program", subjectId: "budgets" }, (current) => {
    const r = formToBudgets(current, form);
    if (!r.program) return { fieldErrors: r.fieldErrors };
    return { next: r.program, before: { stacking: current.stacking, caps: current.caps }, after: { stacking: r.program.stacking, caps: r.program.caps } };
  });
  if (typeof result === "object") return new Response(JSON.stringify({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), result.fieldErrors) }), { status: 422, headers: { "Content-Type": "application/json" } });
  return { ok: true, fieldErrors: {} as Record<string, string> };
};

const TONE = { running: "success", scheduled: "info", ended: undefined, off: undefined } as const;

export default function Campaigns() {
  const { campaigns, form: initial, usage, timeZone } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; fieldErrors: Record<string, string> }>();
  const nav = useNavigation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { t, n, locale } = useT();
  const [f, setF] = useState(initial);
  const errors = result?.fieldErrors ?? {};
  const set = (k: string) => (v: string) => setF((s) => ({ ...s, [k]: v }));
  const q = params.get("locale") ? `?locale=${params.get("locale")}` : "";
  const periods = CAP_PERIODS.map((p) => ({ value: p, label: t(`campaigns.period.${p}` as MessageKey) }));
  return (
    <Page title={t("campaigns.heading")} primaryAction={{ content: t("campaigns.new"), onAction: () => navigate(`/app/campaigns/new${q}`) }}>
      <TitleBar title={t("campaigns.heading")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">{t("campaigns.intro", { timeZone })}</Text>
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: t("campaigns.singular"), plural: t("campaigns.plural") }}
                itemCount={campaigns.length}
                selectable={false}
                emptyState={<Text as="p" tone="subdued">{t("campaigns.none")}</Text>}
                headings={[{ title: t("campaigns.col.name") }, { title: t("campaigns.col.effect") }, { title: t("campaigns.col.dates") }, { title: t("campaigns.col.budget") }, { title: t("campaigns.col.status") }]}
              >
                {campaigns.map((c, i) => (
                  <IndexTable.Row id={c.id} key={c.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={`/app/campaigns/${c.id}${q}`} data-campaign-link={c.id}>
                        {c.name[locale]}
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{t(`campaigns.effect.${c.effect}` as MessageKey)}</IndexTable.Cell>
                    <IndexTable.Cell>{`${c.window.startDate ?? "…"} – ${c.window.endDate ?? "…"}`}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {c.budget ? (
                        <BlockStack gap="100">
                          <Text as="span">{t("campaigns.budgetUsed", { used: n(c.budget.used), limit: n(c.budget.limit), left: n(Math.max(0, c.budget.limit - c.budget.used)) })}</Text>
                          <ProgressBar progress={Math.min(100, (100 * c.budget.used) / c.budget.limit)} size="small" />
                        </BlockStack>
                      ) : (
                        t("campaigns.noBudget")
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={TONE[c.status]}>{t(`campaigns.status.${c.status}` as MessageKey)}</Badge>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
            <Form method="post">
              <input type="hidden" name="intent" value="budgets" />
              {Object.entries(f).map(([k, v]) => (
                <input key={k} type="hidden" name={k} value={v} />
              ))}
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("budgets.heading")}</Text>
                  {result?.ok ? <Banner tone="success">{t("budgets.saved")}</Banner> : null}
                  {result && !result.ok ? <Banner tone="critical">{t("budgets.invalid")}</Banner> : null}
                  <FormLayout>
                    <Select label={t("budgets.stacking")} id="stacking" options={["highest", "add", "multiply"].map((v) => ({ value: v, label: t(`budgets.stacking.${v}` as MessageKey) }))} value={f.stacking} onChange={set("stacking")} error={errors.stacking} />
                    <TextField
                      label={t("budgets.daily")}
                      id="caps.dailyGlobalPoints"
                      type="number"
                      value={f["caps.dailyGlobalPoints"]}
                      onChange={set("caps.dailyGlobalPoints")}
                      error={errors["caps.dailyGlobalPoints"]}
                      helpText={usage.daily ? t("budgets.capUsage", { members: n(usage.daily.membersAtCap), points: n(usage.daily.points), period: usage.daily.period.replace(/^\w+:/, "") }) : t("budgets.noCap")}
                      autoComplete="off"
                    />
                    <Text as="h3" variant="headingSm">{t("budgets.perRule")}</Text>
                    {RULE_KEYS.map((r) => (
                      <FormLayout.Group key={r} condensed>
                        <TextField
                          label={t("budgets.ruleMax", { rule: t(`budgets.rule.${r}` as MessageKey) })}
                          id={`caps.perRule.${r}.max`}
                          type="number"
                          value={f[`caps.perRule.${r}.max`]}
                          onChange={set(`caps.perRule.${r}.max`)}
                          error={errors[`caps.perRule.${r}.max`] ?? errors[`caps.perRule.${r}`]}
                          helpText={usage.rules[r] ? t("budgets.capUsage", { members: n(usage.rules[r].membersAtCap), points: n(usage.rules[r].points), period: usage.rules[r].period.replace(/^\w+:/, "") }) : t("budgets.noCap")}
                          autoComplete="off"
                        />
                        <Select label={t("budgets.period")} id={`caps.perRule.${r}.period`} options={periods} value={f[`caps.perRule.${r}.period`]} onChange={set(`caps.perRule.${r}.period`)} error={errors[`caps.perRule.${r}.period`]} />
                      </FormLayout.Group>
                    ))}
                  </FormLayout>
                  <InlineStack>
                    <Button submit variant="primary" loading={nav.state === "submitting"}>
                      {t("budgets.save")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Form>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
