import { GraphQLError, Kind, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from "graphql";
import { isoUtc } from "../core/clock.ts";

/**
 * The SDL declares Shopify's custom scalars without behaviour, so graphql-js would accept any
 * input for them. These parsers reject what Shopify rejects (a malformed Decimal, DateTime, URL…).
 */
type Parser = (value: unknown) => unknown;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function fail(type: string, value: unknown, why: string): never {
  throw new GraphQLError(`${type} ${why}: ${JSON.stringify(value)}`);
}

const parsers: Record<string, Parser> = {
  DateTime(value) {
    if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      fail("DateTime", value, "must be an ISO 8601 date-time");
    }
    return value;
  },
  Date(value) {
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
      fail("Date", value, "must be an ISO 8601 date (YYYY-MM-DD)");
    }
    return value;
  },
  Decimal: decimal("Decimal"),
  Money: decimal("Money"),
  UnsignedInt64(value) {
    const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
    if (typeof text !== "string" || !/^\d+$/.test(text) || BigInt(text) > 18446744073709551615n) {
      fail("UnsignedInt64", value, "must be an unsigned 64-bit integer");
    }
    return text;
  },
  BigInt(value) {
    const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
    if (typeof text !== "string" || !/^-?\d+$/.test(text)) fail("BigInt", value, "must be an integer");
    return text;
  },
  URL(value) {
    if (typeof value !== "string") fail("URL", value, "must be a string");
    try {
      new URL(value);
    } catch {
      fail("URL", value, "must be an absolute URL");
    }
    return value;
  },
  Color(value) {
    if (typeof value !== "string" || !/^#[0-9A-Fa-f]{6}$/.test(value)) fail("Color", value, "must be a hex color like #FF0000");
    return value;
  },
  UtcOffset(value) {
    if (typeof value !== "string" || !/^[+-]\d{2}:\d{2}$/.test(value)) fail("UtcOffset", value, "must look like +01:00");
    return value;
  },
  HTML: stringOnly("HTML"),
  FormattedString: stringOnly("FormattedString"),
  ARN: stringOnly("ARN"),
  StorefrontID: stringOnly("StorefrontID"),
  JSON: (value) => value,
};

function decimal(type: string): Parser {
  return (value) => {
    const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== "string" || !DECIMAL.test(text.trim())) fail(type, value, "must be a decimal number");
    return text.trim();
  };
}

function stringOnly(type: string): Parser {
  return (value) => {
    if (typeof value !== "string") fail(type, value, "must be a string");
    return value;
  };
}

function literalToJs(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
      return Number.isSafeInteger(Number(node.value)) ? Number(node.value) : node.value;
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalToJs);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalToJs(f.value)]));
    case Kind.VARIABLE:
      return undefined;
  }
}

const serializers: Record<string, (value: unknown) => unknown> = {
  DateTime: (value) => (typeof value === "number" || value instanceof Date ? isoUtc(new Date(value).getTime()) : value),
  UnsignedInt64: (value) => String(value),
  BigInt: (value) => String(value),
  Decimal: (value) => String(value),
  Money: (value) => String(value),
};

/** Gives the schema's custom scalars Shopify-like input parsing and output serialisation. */
export function installScalarBehaviour(schema: GraphQLSchema): void {
  for (const [name, parse] of Object.entries(parsers)) {
    const type = schema.getType(name) as GraphQLScalarType | undefined;
    if (!type) continue;
    const mutable = type as { -readonly [K in keyof GraphQLScalarType]: GraphQLScalarType[K] };
    mutable.parseValue = parse;
    mutable.parseLiteral = (node, variables) => {
      if (node.kind === Kind.VARIABLE) return parse(variables?.[node.name.value]);
      if (name !== "JSON" && (node.kind === Kind.LIST || node.kind === Kind.OBJECT)) fail(name, literalToJs(node), "cannot be a list or object");
      return parse(literalToJs(node));
    };
    const serialize = serializers[name];
    if (serialize) mutable.serialize = serialize;
  }
}
