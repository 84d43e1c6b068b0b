/**
 * Trends formulas over the series' result objects, as PostHog's
 * TrendsQueryRunner.apply_formula: `formulaNodes` (or `formulas`, or
 * `formula`) each become one result per breakdown value (or one result),
 * valued bucket by bucket from the series A, B, C…; a series without that
 * breakdown value counts as zeros. With compare, the current and the previous
 * period are computed apart: each formula's current results, then its previous.
 */
import { BREAKDOWN_NULL, BREAKDOWN_OTHER } from './filters';
import { evaluateFormula, parseFormula, type Formula } from './formula';
import type { TrendsQueryInput } from './schema';
import type { TrendsResult } from './trends-results';

interface FormulaNode {
  formula: string;
  custom_name?: string | null;
  parsed: Formula;
}

/** PostHog's formula_nodes: formulaNodes, else formulas, else formula; parsed (400s name the field). */
export function formulaNodesOf(query: TrendsQueryInput): FormulaNode[] {
  const tf = query.trendsFilter;
  const n = query.series.length;
  if (tf?.formulaNodes?.length) {
    return tf.formulaNodes.map((f, i) => ({
      ...f,
      parsed: parseFormula(f.formula, n, `query.trendsFilter.formulaNodes.${i}.formula`),
    }));
  }
  if (tf?.formulas?.length) {
    return tf.formulas.map((formula, i) => ({
      formula,
      parsed: parseFormula(formula, n, `query.trendsFilter.formulas.${i}`),
    }));
  }
  if (tf?.formula) return [{ formula: tf.formula, parsed: parseFormula(tf.formula, n, 'query.trendsFilter.formula') }];
  return [];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One formula over one group of results (one per series), as apply_formula_to_results_group. */
function resultOfGroup(group: TrendsResult[], node: FormulaNode, aggregate: boolean): TrendsResult {
  const base: TrendsResult = structuredClone(group[0]!);
  base.label = node.custom_name || `Formula (${node.formula})`;
  base.action = null;
  if (aggregate) {
    base.aggregated_value = evaluateFormula(
      node.parsed,
      group.map((r) => Number(r.aggregated_value ?? 0)),
    );
    base.data = null;
    base.count = 0;
  } else {
    const series = group.map((r) => (r.data as number[] | null) ?? []);
    const length = Math.max(0, ...series.map((d) => d.length));
    const data = Array.from({ length }, (_, j) =>
      evaluateFormula(
        node.parsed,
        series.map((d) => d[j] ?? 0),
      ),
    );
    base.data = data;
    base.count = sum(data);
  }
  return base;
}

/** PostHog's order of formula results with a breakdown: values first, then null, then other; larger first. */
function breakdownOrder(a: TrendsResult, b: TrendsResult): number {
  const rank = (r: TrendsResult) =>
    r.breakdown_value === BREAKDOWN_OTHER ? -2 : r.breakdown_value === BREAKDOWN_NULL ? -1 : 0;
  const total = (r: TrendsResult) =>
    'aggregated_value' in r ? Number(r.aggregated_value) : sum((r.data as number[] | null) ?? []);
  const keys = (r: TrendsResult): (number | string | number[])[] => [
    rank(r),
    total(r),
    Number(r.count),
    (r.data as number[] | null) ?? [],
    String(r.breakdown_value),
  ];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    const c = compareKeys(ka[i]!, kb[i]!);
    if (c !== 0) return -c;
  }
  return 0;
}

function compareKeys(a: number | string | number[], b: number | string | number[]): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const keyOf = (r: TrendsResult) => JSON.stringify(r.breakdown_value ?? null);

/** One formula over the series' results of one period (`perSeries[i]`: series i's result objects). */
function applyFormula(perSeries: TrendsResult[][], node: FormulaNode, breakdown: boolean, aggregate: boolean) {
  if (perSeries.length === 0) return [];
  if (!breakdown)
    return [
      resultOfGroup(
        perSeries.map((rs) => rs[0] ?? filler(rs[0], 0)),
        node,
        aggregate,
      ),
    ];
  const values = new Map<string, TrendsResult>();
  for (const results of perSeries) for (const r of results) if (!values.has(keyOf(r))) values.set(keyOf(r), r);
  const out: TrendsResult[] = [];
  for (const [key, any] of values) {
    const length = ((any.data as number[] | null) ?? []).length;
    const group = perSeries.map((results) => results.find((r) => keyOf(r) === key) ?? filler(any, length));
    out.push(resultOfGroup(group, node, aggregate));
  }
  return out.sort(breakdownOrder);
}

/** PostHog's stand-in for a series without this breakdown value. */
function filler(like: TrendsResult | undefined, length: number): TrendsResult {
  return {
    label: `filler for ${String(like?.breakdown_value ?? '')}`,
    data: new Array<number>(length).fill(0),
    count: 0,
    aggregated_value: 0,
    action: null,
    breakdown_value: like?.breakdown_value ?? null,
    compare_label: like?.compare_label ?? null,
    days: like?.days ?? [],
  };
}

/**
 * The formula results replacing the series' results. `periods` holds, per period (current, then
 * previous with compare), each series' result objects.
 */
export function formulaResults(
  nodes: FormulaNode[],
  periods: TrendsResult[][][],
  breakdown: boolean,
  aggregate: boolean,
): TrendsResult[] {
  return nodes.flatMap((node) => periods.flatMap((perSeries) => applyFormula(perSeries, node, breakdown, aggregate)));
}
