import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { localeOf } from "../../shared/loyalty";
import { OrderPoints } from "./OrderPoints";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  const order = shopify.orderConfirmation.value.order;
  const lines = shopify.lines.value.map((l) => ({ productId: l.merchandise.type === "variant" ? l.merchandise.product.id : null, amount: l.cost.totalAmount.amount }));
  return (
    <OrderPoints
      surface="checkout"
      orderId={order.id}
      token={() => shopify.sessionToken.get()}
      translate={(key, values) => shopify.i18n.translate(key, values)}
      locale={localeOf(shopify.localization.language.value.isoCode)}
      lines={lines}
    />
  );
}
