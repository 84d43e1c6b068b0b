import type { Call, Constant, Expr } from './ast';

// Binding strength of each operator, loosest first, in the order of PostHog's grammar (HogQLParser.g4, columnExpr)
// as its parser actually applies it: BETWEEN binds tighter than NOT, looser than `??`.
export const PREC = {
  ALIAS: 1,
  TERNARY: 2,
  OR: 3,
  AND: 4,
  NOT: 5,
  BETWEEN: 6,
  NULLISH: 7,
  IS: 8,
  COMPARE: 9,
  ADD: 10,
  MUL: 11,
  NEG: 12,
} as const;

export function constant(value: Constant['value'], start: number, end: number): Constant {
  return { kind: 'Constant', value, start, end };
}

/** A call PostHog's parser makes up for syntax (`||`, CASE, `? :`, INTERVAL). */
export function syntheticCall(name: string, args: Expr[], start: number, end: number): Call {
  return { kind: 'Call', name, args, distinct: false, start, end };
}
