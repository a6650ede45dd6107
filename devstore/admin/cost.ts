import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Shopify's calculated query cost (shopify.dev, "GraphQL Admin API rate limits"):
 * scalars and enums 0, objects 1, interfaces/unions the maximum of their possible selections,
 * connections 2 + first (or last) × the cost of one node (each node is an object: 1 + its
 * selection), mutations 10. Objects inside a mutation's payload are part of the mutation's 10.
 */
export const MUTATION_COST = 10;
export const CONNECTION_BASE_COST = 2;

export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields();
}

export function isEdgeType(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith("Edge") && "node" in type.getFields() && "cursor" in type.getFields();
}

interface CostContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function requestedQueryCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const ctx: CostContext = { schema, fragments, variables };
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const fields = collectFields(ctx, root, operation.selectionSet);
  let total = 0;
  for (const nodes of fields.values()) {
    const def = root.getFields()[nodes[0]!.name.value];
    if (!def) continue;
    if (operation.operation === "mutation") total += MUTATION_COST + fieldCost(ctx, def, nodes, 0, true);
    else total += fieldCost(ctx, def, nodes, 1, false);
  }
  return total;
}

/** Cost of one field; for a mutation root field only what it contains (its own 10 is added by the caller). */
function fieldCost(ctx: CostContext, def: GraphQLField<unknown, unknown>, nodes: FieldNode[], objectWeight: number, isMutationRoot: boolean): number {
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  const selection = mergeSelections(nodes);
  if (isConnectionType(named)) return connectionCost(ctx, def, nodes[0]!, named, selection, objectWeight);
  const inner = selectionCost(ctx, named as GraphQLCompositeType, selection, objectWeight);
  const own = isMutationRoot ? 0 : objectWeight;
  const perItem = own + inner;
  if (isListOf(def.type)) {
    const args = safeArgs(def, nodes[0]!, ctx.variables);
    const size = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : 1;
    return perItem * size;
  }
  return perItem;
}

function connectionCost(
  ctx: CostContext,
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  type: GraphQLObjectType,
  selection: SelectionSetNode,
  objectWeight: number,
): number {
  const args = safeArgs(def, node, ctx.variables);
  const size = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : 0;
  const nodeType = getNamedType(type.getFields().nodes?.type ?? type.getFields().edges!.type) as GraphQLCompositeType;
  let perNode = 0;
  let other = 0;
  for (const [, fieldNodes] of collectFields(ctx, type, selection)) {
    const name = fieldNodes[0]!.name.value;
    if (name === "nodes") {
      perNode = Math.max(perNode, 1 + selectionCost(ctx, nodeType, mergeSelections(fieldNodes), objectWeight));
    } else if (name === "edges") {
      const edgeType = getNamedType(type.getFields().edges!.type) as GraphQLObjectType;
      for (const [, edgeFields] of collectFields(ctx, edgeType, mergeSelections(fieldNodes))) {
        if (edgeFields[0]!.name.value !== "node") continue;
        const realNodeType = getNamedType(edgeType.getFields().node!.type) as GraphQLCompositeType;
        perNode = Math.max(perNode, 1 + selectionCost(ctx, realNodeType, mergeSelections(edgeFields), objectWeight));
      }
    } else if (name !== "pageInfo" && !name.startsWith("__")) {
      const childDef = type.getFields()[name];
      if (childDef) other += fieldCost(ctx, childDef, fieldNodes, objectWeight, false);
    }
  }
  if (perNode === 0) perNode = 1;
  return CONNECTION_BASE_COST + size * perNode + other;
}

function selectionCost(ctx: CostContext, type: GraphQLCompositeType, selection: SelectionSetNode, objectWeight: number): number {
  const candidates = isAbstractType(type) ? ctx.schema.getPossibleTypes(type) : [type as GraphQLObjectType];
  let max = 0;
  for (const candidate of candidates) {
    let sum = 0;
    for (const [, nodes] of collectFields(ctx, candidate, selection)) {
      const name = nodes[0]!.name.value;
      if (name.startsWith("__")) continue;
      const def = candidate.getFields()[name];
      if (def) sum += fieldCost(ctx, def, nodes, objectWeight, false);
    }
    max = Math.max(max, sum);
  }
  return max;
}

function isListOf(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function safeArgs(def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, variables);
  } catch {
    return {};
  }
}

function mergeSelections(nodes: FieldNode[]): SelectionSetNode {
  return { kind: Kind.SELECTION_SET, selections: nodes.flatMap((n) => n.selectionSet?.selections ?? []) };
}

function skipped(ctx: CostContext, directives: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[] | undefined): boolean {
  for (const d of directives ?? []) {
    if (d.name.value !== "skip" && d.name.value !== "include") continue;
    const arg = d.arguments?.find((a) => a.name.value === "if");
    const valueNode = arg?.value as { kind: string; value?: boolean; name?: { value: string } } | undefined;
    const value = valueNode?.kind === Kind.VARIABLE ? Boolean(ctx.variables[valueNode.name!.value]) : Boolean(valueNode?.value);
    if (d.name.value === "skip" && value) return true;
    if (d.name.value === "include" && !value) return true;
  }
  return false;
}

function fragmentApplies(ctx: CostContext, typeCondition: string | undefined, type: GraphQLObjectType): boolean {
  if (!typeCondition || typeCondition === type.name) return true;
  const condition = ctx.schema.getType(typeCondition);
  return Boolean(condition && isAbstractType(condition) && ctx.schema.isSubType(condition, type));
}

/** Fields selected on a concrete type, by response key, following fragments and @skip/@include. */
function collectFields(ctx: CostContext, type: GraphQLObjectType, selection: SelectionSetNode, out = new Map<string, FieldNode[]>(), seen = new Set<string>()): Map<string, FieldNode[]> {
  for (const sel of selection.selections) {
    if (skipped(ctx, sel.directives)) continue;
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      out.set(key, [...(out.get(key) ?? []), sel]);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (fragmentApplies(ctx, sel.typeCondition?.name.value, type)) collectFields(ctx, type, sel.selectionSet, out, seen);
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = ctx.fragments[name];
      if (fragment && fragmentApplies(ctx, fragment.typeCondition.name.value, type)) collectFields(ctx, type, fragment.selectionSet, out, seen);
    }
  }
  return out;
}
