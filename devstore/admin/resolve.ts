import {
  GraphQLError,
  getNamedType,
  isLeafType,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import { CONNECTION_BASE_COST, MUTATION_COST, isConnectionType, isEdgeType } from "./cost.ts";
import type { AdminContext } from "./context.ts";
import type { RootResolvers } from "./root/types.ts";

export class UnmodelledFieldError extends GraphQLError {}

function unmodelled(ctx: AdminContext, info: GraphQLResolveInfo, what: string): null {
  if (ctx.unmodelled === "null") return null;
  throw new UnmodelledFieldError(`The devstore does not model ${what}; ask for it to be added or leave it out of the document`, {
    extensions: { code: "DEVSTORE_UNMODELLED", typeName: info.parentType.name, fieldName: info.fieldName },
  });
}

/**
 * The one resolver for every field: root fields go to the resolver maps; other fields read the
 * view object (a value, or a method called with the arguments). It also adds up the actual cost
 * of what was resolved, with the same rules as the requested cost.
 */
export function createFieldResolver(schema: GraphQLSchema, roots: { query: RootResolvers; mutation: RootResolvers }): GraphQLFieldResolver<unknown, AdminContext> {
  const queryType = schema.getQueryType();
  const mutationType = schema.getMutationType();
  const connectionTypes = new Map<GraphQLNamedType, boolean>();
  const edgeTypes = new Map<GraphQLNamedType, boolean>();
  const isConnection = (t: GraphQLNamedType) => {
    let hit = connectionTypes.get(t);
    if (hit === undefined) connectionTypes.set(t, (hit = isConnectionType(t)));
    return hit;
  };
  const isEdge = (t: GraphQLNamedType) => {
    let hit = edgeTypes.get(t);
    if (hit === undefined) edgeTypes.set(t, (hit = isEdgeType(t)));
    return hit;
  };

  function actualCost(info: GraphQLResolveInfo, value: unknown): number {
    const named = getNamedType(info.returnType);
    if (isLeafType(named)) return 0;
    if (info.parentType === mutationType) return MUTATION_COST;
    if (isEdge(info.parentType) && info.fieldName === "node") return 0;
    if (isConnection(info.parentType) && (info.fieldName === "edges" || info.fieldName === "nodes" || info.fieldName === "pageInfo")) return 0;
    if (value === null || value === undefined) return 0;
    if (isConnection(named)) return CONNECTION_BASE_COST + ((value as { __count?: number }).__count ?? 0);
    const weight = info.operation.operation === "mutation" ? 0 : 1;
    if (Array.isArray(value)) {
      const hasFirst = info.parentType.getFields()[info.fieldName]?.args.some((a) => a.name === "first");
      return weight * (hasFirst ? value.length : value.length > 0 ? 1 : 0);
    }
    return weight;
  }

  return (source, args, ctx, info) => {
    let value: unknown;
    if (info.parentType === queryType || info.parentType === mutationType) {
      const map = info.parentType === mutationType ? roots.mutation : roots.query;
      const fn = map[info.fieldName];
      value = fn ? fn(args, ctx, info) : unmodelled(ctx, info, `${info.parentType === mutationType ? "the mutation" : "the query field"} ${info.fieldName}`);
    } else {
      const field = (source as Record<string, unknown> | null)?.[info.fieldName];
      if (typeof field === "function") value = (field as (a: unknown, c: unknown, i: unknown) => unknown).call(source, args, ctx, info);
      else if (field === undefined) value = unmodelled(ctx, info, `${info.parentType.name}.${info.fieldName}`);
      else value = field;
    }
    ctx.cost.actual += actualCost(info, value);
    return value;
  };
}
