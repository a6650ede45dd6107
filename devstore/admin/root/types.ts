import type { GraphQLResolveInfo } from "graphql";
import type { AdminContext } from "../context.ts";

export type RootResolver = (args: Record<string, unknown>, ctx: AdminContext, info: GraphQLResolveInfo) => unknown;
export type RootResolvers = Record<string, RootResolver>;

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
  [extra: string]: unknown;
}
