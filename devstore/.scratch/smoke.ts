import { createDevStore } from "../index.ts";
const t0 = performance.now();
const store = await createDevStore({ tomlPath: null });
console.log("start ms", performance.now() - t0);
const c = store.customers.create({ firstName: "Anna", lastName: "Muster", email: "anna@example.com", tags: ["vip"] });
let r = await store.graphql(`query { shop { id name email currencyCode ianaTimezone myshopifyDomain plan { displayName publicDisplayName shopifyPlus } } customers(first: 5) { edges { cursor node { id firstName lastName email tags state numberOfOrders amountSpent { amount currencyCode } emailMarketingConsent { marketingState } defaultAddress { city } createdAt } } pageInfo { hasNextPage endCursor } } }`);
console.log(JSON.stringify(r, null, 1));
r = await store.graphql(`mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status summary codes(first: 1) { nodes { code } } context { __typename ... on DiscountCustomers { customers { id } } } customerGets { value { ... on DiscountAmount { amount { amount currencyCode } } } } } } } userErrors { field message code } } }`,
 { d: { title: "5 off", code: "LOYAL-5", startsAt: "2020-01-01T00:00:00Z", context: { customers: { add: [`gid://shopify/Customer/${c.id}`] } }, customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } }, appliesOncePerCustomer: true, usageLimit: 1, combinesWith: { productDiscounts: true } } });
console.log(JSON.stringify(r, null, 1));
const variant = [...store.shops.get().variants.values()][0]!;
const order = store.orders.create({ customerId: c.id, lineItems: [{ variantId: variant.id, quantity: 2 }], discountCodes: ["loyal-5"], shipping: { price: "4.90" } });
console.log(order.name, order.discountCodes, order.lineItems[0]!.discountAllocations, order.lineItems[0]!.taxLines);
r = await store.graphql(`{ customer(id: "gid://shopify/Customer/${c.id}") { numberOfOrders amountSpent { amount } orders(first: 5) { nodes { name totalPriceSet { shopMoney { amount } } currentSubtotalPriceSet { shopMoney { amount } } lineItems(first: 5) { nodes { title quantity discountAllocations { allocatedAmountSet { shopMoney { amount } } discountApplication { ... on DiscountCodeApplication { code } } } } } } } } }`);
console.log(JSON.stringify(r, null, 1));
await store.close();
