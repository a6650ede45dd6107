import "@shopify/ui-extensions/preact";
import { render } from "preact";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  const t = shopify.i18n.translate;
  return <s-tile heading={t("tile.heading")} subheading={t("tile.subheading")} onClick={() => shopify.action.presentModal()} />;
}
