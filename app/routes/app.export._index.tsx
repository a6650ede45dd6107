import { BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { useT } from "~/lib/use-t";

// Downloads inside the embedded admin go through fetch (App Bridge adds the session token), then
// are handed to the browser as a file.
async function download(kind: "members" | "ledger", setBusy: (k: string | null) => void, setFailed: (b: boolean) => void) {
  setBusy(kind);
  setFailed(false);
  try {
    const res = await fetch(`/app/export/${kind}`);
    if (!res.ok) throw new Error(String(res.status));
    const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? `${kind}.csv`;
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch {
    setFailed(true);
  } finally {
    setBusy(null);
  }
}

export default function ExportPage() {
  const { t } = useT();
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  return (
    <Page title={t("export.heading")}>
      <TitleBar title={t("export.heading")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p">{t("export.intro")}</Text>
              <InlineStack gap="200">
                <Button onClick={() => download("members", setBusy, setFailed)} loading={busy === "members"}>{t("export.members")}</Button>
                <Button onClick={() => download("ledger", setBusy, setFailed)} loading={busy === "ledger"}>{t("export.ledger")}</Button>
              </InlineStack>
              {failed ? <Text as="p" tone="critical">{t("export.failed")}</Text> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
