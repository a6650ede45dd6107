// Tiers and points expiry (merchant admin). Modest on purpose (issue #9 builds the full admin):
// edit the tiers and the expiry rule, preview what the edit does to members ("312 move up, 40
// down"), then save. Saving changes settings only; members move at the next evaluation and no
// points change.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useMemo, useState } from "react";
import { database } from "~/db.server";
import { fe } from "~/domain/errors";
import type { Program, TierLevel } from "~/domain/program";
import { localizeFieldErrors, pickLocale, requestLocale, translate, type MessageKey } from "~/lib/i18n";
import { programOf } from "~/models/earning.server";
import { ensureShop } from "~/models/shops.server";
import { applyTierSettings, assignTierFromForm, type TierSettingsResult } from "~/models/tiers.server";
import { authenticate } from "~/shopify.server";

type Settings = Pick<Program, "tiers" | "expiry">;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const db = await database();
  const program = programOf(await ensureShop(db.sql, session.shop));
  const settings: Settings = { tiers: program.tiers, expiry: program.expiry };
  return { settings, locale: pickLocale(new URL(request.url).searchParams.get("locale")) };
};

// POST intent=preview|save, settings=<JSON {tiers, expiry}> → 200 with the preview, or 422 with
// the field errors ("tiers.levels.0.threshold": "Must be higher than the tier before it").
// POST intent=assign|unassign, customer, tierId, until → the manual assignment (422 field errors).
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "assign" || intent === "unassign") {
    const db = await database();
    const staff = session.onlineAccessInfo?.associated_user?.email ?? session.id;
    const r = await assignTierFromForm(
      db.sql,
      session.shop,
      { customer: form.get("customer"), tierId: form.get("tierId"), until: form.get("until"), remove: intent === "unassign" },
      staff,
      Date.now(),
    );
    return json({ assign: r.ok ? r : { ok: false as const, fieldErrors: localizeFieldErrors(requestLocale(request), r.fieldErrors) } }, { status: r.ok ? 200 : 422 });
  }
  let input: unknown;
  try {
    input = JSON.parse(String(form.get("settings") ?? ""));
  } catch {
    return json({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { settings: fe("errors.json") }) } satisfies TierSettingsResult, { status: 400 });
  }
  if (intent !== "preview" && intent !== "save") return json({ ok: false, fieldErrors: localizeFieldErrors(requestLocale(request), { intent: fe("errors.oneOf", { options: "preview, save" }) }) } satisfies TierSettingsResult, { status: 400 });
  const db = await database();
  const result = await applyTierSettings(db.sql, session.shop, input, { save: intent === "save", now: Date.now() });
  return json(result.ok ? result : { ok: false as const, fieldErrors: localizeFieldErrors(requestLocale(request), result.fieldErrors) }, { status: result.ok ? 200 : 422 });
};

const newLevel = (n: number): TierLevel => ({
  id: `tier-${n}`,
  name: { en: `Tier ${n}`, de: `Stufe ${n}` },
  threshold: n * 1000,
  multiplier: 1,
  entryRewardPoints: 0,
  birthdayBonusPoints: 0,
  freeShipping: false,
  perks: { en: [], de: [] },
});

const lines = (text: string) => text.split("\n").map((s) => s.trim()).filter(Boolean);
const num = (text: string) => (text.trim() === "" || Number.isNaN(Number(text)) ? (text as unknown as number) : Number(text));

export default function Tiers() {
  const { settings: initial, locale } = useLoaderData<typeof loader>();
  const t = (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
  const [settings, setSettings] = useState<Settings>(initial as Settings);
  const [reminders, setReminders] = useState(initial.expiry.reminderDays.join(", "));
  const fetcher = useFetcher<TierSettingsResult>();
  const [previewed, setPreviewed] = useState<string | null>(null);
  const body = useMemo(
    () => JSON.stringify({ ...settings, expiry: { ...settings.expiry, reminderDays: reminders.split(",").map((s) => s.trim()).filter(Boolean).map(Number) } }),
    [settings, reminders],
  );
  const result = fetcher.data;
  const errors = result && !result.ok ? result.fieldErrors : {};
  const err = (key: string) => errors[key];
  const tiers = settings.tiers;
  const setTiers = (change: Partial<Settings["tiers"]>) => setSettings((s) => ({ ...s, tiers: { ...s.tiers, ...change } }));
  const setLevel = (i: number, change: Partial<TierLevel>) => setTiers({ levels: tiers.levels.map((l, j) => (j === i ? { ...l, ...change } : l)) });
  const submit = (intent: "preview" | "save") => {
    if (intent === "preview") setPreviewed(body);
    fetcher.submit({ intent, settings: body }, { method: "post" });
  };
  const options = <K extends string>(prefix: string, keys: readonly K[]) => keys.map((k) => ({ value: k, label: t(`${prefix}.${k}` as MessageKey) }));

  return (
    <Page>
      <TitleBar title={t("tiers.title")} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && !result.ok ? <Banner tone="critical" title={t("tiers.errors")}>{Object.entries(errors).map(([k, v]) => <p key={k}>{`${k}: ${v}`}</p>)}</Banner> : null}
            {result && result.ok ? (
              <Banner tone={result.saved ? "success" : "info"}>
                <p id="tier-preview">{t("tiers.previewResult", { up: result.preview.up, down: result.preview.down, unchanged: result.preview.unchanged, protected: result.preview.protected })}</p>
                {result.saved ? <p>{t("tiers.saved")}</p> : null}
              </Banner>
            ) : null}
            <Card>
              <FormLayout>
                <Checkbox label={t("tiers.enabled")} checked={tiers.enabled} onChange={(v) => setTiers({ enabled: v })} />
                <FormLayout.Group>
                  <Select label={t("tiers.basis")} options={options("tiers.basis", ["points_earned", "amount_spent", "orders"] as const)} value={tiers.basis} onChange={(v) => setTiers({ basis: v as Settings["tiers"]["basis"] })} />
                  <Select label={t("tiers.window")} options={options("tiers.window", ["lifetime", "calendar_year", "rolling_12_months"] as const)} value={tiers.window} onChange={(v) => setTiers({ window: v as Settings["tiers"]["window"] })} />
                </FormLayout.Group>
                <FormLayout.Group>
                  <Checkbox label={t("tiers.keepNextPeriod")} checked={tiers.retention.keepNextPeriod} onChange={(v) => setTiers({ retention: { ...tiers.retention, keepNextPeriod: v } })} />
                  <TextField label={t("tiers.graceDays")} type="number" autoComplete="off" value={String(tiers.retention.graceDays)} error={err("tiers.retention.graceDays")} onChange={(v) => setTiers({ retention: { ...tiers.retention, graceDays: num(v) } })} />
                </FormLayout.Group>
              </FormLayout>
            </Card>
            <Text as="h2" variant="headingMd">{t("tiers.levels")}</Text>
            {tiers.levels.map((l, i) => {
              const e = (field: string) => err(`tiers.levels.${i}.${field}`);
              return (
                <Card key={i}>
                  <FormLayout>
                    <FormLayout.Group>
                      <TextField label={t("tiers.id")} autoComplete="off" value={l.id} error={e("id")} onChange={(v) => setLevel(i, { id: v })} />
                      <TextField label={t("tiers.nameEn")} autoComplete="off" value={l.name.en} error={e("name.en")} onChange={(v) => setLevel(i, { name: { ...l.name, en: v } })} />
                      <TextField label={t("tiers.nameDe")} autoComplete="off" value={l.name.de} error={e("name.de")} onChange={(v) => setLevel(i, { name: { ...l.name, de: v } })} />
                    </FormLayout.Group>
                    <FormLayout.Group>
                      <TextField label={t("tiers.threshold")} type="number" autoComplete="off" value={String(l.threshold)} error={e("threshold")} onChange={(v) => setLevel(i, { threshold: num(v) })} />
                      <TextField label={t("tiers.multiplier")} type="number" autoComplete="off" value={String(l.multiplier)} error={e("multiplier")} onChange={(v) => setLevel(i, { multiplier: num(v) })} />
                      <TextField label={t("tiers.entryReward")} type="number" autoComplete="off" value={String(l.entryRewardPoints)} error={e("entryRewardPoints")} onChange={(v) => setLevel(i, { entryRewardPoints: num(v) })} />
                      <TextField label={t("tiers.birthdayBonus")} type="number" autoComplete="off" value={String(l.birthdayBonusPoints)} error={e("birthdayBonusPoints")} onChange={(v) => setLevel(i, { birthdayBonusPoints: num(v) })} />
                    </FormLayout.Group>
                    <Checkbox label={t("tiers.freeShipping")} checked={l.freeShipping} onChange={(v) => setLevel(i, { freeShipping: v })} />
                    <FormLayout.Group>
                      <TextField label={t("tiers.perksEn")} multiline={3} autoComplete="off" value={l.perks.en.join("\n")} error={e("perks.en")} onChange={(v) => setLevel(i, { perks: { ...l.perks, en: lines(v) } })} />
                      <TextField label={t("tiers.perksDe")} multiline={3} autoComplete="off" value={l.perks.de.join("\n")} error={e("perks.de")} onChange={(v) => setLevel(i, { perks: { ...l.perks, de: lines(v) } })} />
                    </FormLayout.Group>
                    <InlineStack>
                      <Button tone="critical" variant="plain" onClick={() => setTiers({ levels: tiers.levels.filter((_, j) => j !== i) })}>{t("tiers.remove")}</Button>
                    </InlineStack>
                  </FormLayout>
                </Card>
              );
            })}
            {err("tiers.levels") ? <Text as="p" tone="critical">{err("tiers.levels")}</Text> : null}
            <InlineStack>
              <Button onClick={() => setTiers({ levels: [...tiers.levels, newLevel(tiers.levels.length + 1)] })}>{t("tiers.add")}</Button>
            </InlineStack>
            <Card>
              <FormLayout>
                <Text as="h2" variant="headingMd">{t("tiers.expiry")}</Text>
                <FormLayout.Group>
                  <Select label={t("tiers.expiryMode")} options={options("tiers.expiry", ["never", "inactivity", "lots"] as const)} value={settings.expiry.mode} onChange={(v) => setSettings((s) => ({ ...s, expiry: { ...s.expiry, mode: v as Settings["expiry"]["mode"] } }))} />
                  <TextField label={t("tiers.expiryMonths")} type="number" autoComplete="off" value={String(settings.expiry.months)} error={err("expiry.months")} onChange={(v) => setSettings((s) => ({ ...s, expiry: { ...s.expiry, months: num(v) } }))} />
                </FormLayout.Group>
                <TextField label={t("tiers.reminderDays")} autoComplete="off" value={reminders} error={err("expiry.reminderDays") ?? Object.entries(errors).find(([k]) => k.startsWith("expiry.reminderDays."))?.[1]} onChange={setReminders} />
              </FormLayout>
            </Card>
            <AssignCard tiers={initial.tiers.levels} t={t} />
            <InlineStack gap="200">
              <Button onClick={() => submit("preview")} loading={fetcher.state !== "idle"}>{t("tiers.preview")}</Button>
              <Button variant="primary" disabled={previewed !== body || !result?.ok} onClick={() => submit("save")}>{t("tiers.save")}</Button>
            </InlineStack>
            {previewed !== body ? <Text as="p" tone="subdued">{t("tiers.previewFirst")}</Text> : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type AssignResult = { assign: { ok: true; memberId: number } | { ok: false; fieldErrors: Record<string, string> } };

/** Give one member a tier until a date, or take a manual tier away. */
function AssignCard({ tiers, t }: { tiers: TierLevel[]; t: (key: MessageKey, vars?: Record<string, string | number>) => string }) {
  const fetcher = useFetcher<AssignResult>();
  const [customer, setCustomer] = useState("");
  const [tierId, setTierId] = useState(tiers[0]?.id ?? "");
  const [until, setUntil] = useState("");
  const r = fetcher.data?.assign;
  const e = r && !r.ok ? r.fieldErrors : {};
  if (tiers.length === 0) return null;
  const send = (intent: "assign" | "unassign") => fetcher.submit({ intent, customer, tierId, until }, { method: "post" });
  return (
    <Card>
      <FormLayout>
        <Text as="h2" variant="headingMd">{t("tiers.assign")}</Text>
        {r?.ok ? <Banner tone="success">{t("tiers.assigned")}</Banner> : null}
        <FormLayout.Group>
          <TextField label={t("tiers.assignCustomer")} autoComplete="off" value={customer} error={e.customer} onChange={setCustomer} />
          <Select label={t("tiers.assignTier")} options={tiers.map((l) => ({ value: l.id, label: l.name.en }))} value={tierId} error={e.tierId} onChange={setTierId} />
          <TextField label={t("tiers.assignUntil")} type="date" autoComplete="off" value={until} error={e.until} onChange={setUntil} />
        </FormLayout.Group>
        <InlineStack gap="200">
          <Button onClick={() => send("assign")} loading={fetcher.state !== "idle"}>{t("tiers.assignButton")}</Button>
          <Button variant="plain" tone="critical" onClick={() => send("unassign")}>{t("tiers.unassignButton")}</Button>
        </InlineStack>
      </FormLayout>
    </Card>
  );
}
