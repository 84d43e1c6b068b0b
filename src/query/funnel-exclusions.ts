/**
 * Funnel exclusions (funnelsFilter.exclusions), as PostHog passes them to its
 * funnel UDF: an exclusion with funnelFromStep f and funnelToStep t marks its
 * events as exclusions of steps f+1 … t (0-indexed), so one done after step f
 * and before the chain reaches the next step voids that attempt
 * (funnel-walk.ts). Each step's exclusions are one bit of the event's
 * exclusion mask.
 */
import { sql, type SQL } from 'drizzle-orm';
import { QueryError } from './errors';
import { propertiesSql } from './filters';
import type { FunnelsQueryInput } from './schema';
import type { Needs, RegexResolver } from './types';

type Exclusion = NonNullable<NonNullable<FunnelsQueryInput['funnelsFilter']>['exclusions']>[number];

/** The exclusions of the query, checked as PostHog checks them (a 400 naming the field otherwise). */
export function checkedExclusions(query: FunnelsQueryInput): Exclusion[] {
  const exclusions = query.funnelsFilter?.exclusions ?? [];
  const count = query.series.length;
  const sameNode = (a: object, b: object) =>
    JSON.stringify([(a as { event?: unknown }).event ?? null, (a as { properties?: unknown }).properties ?? []]) ===
    JSON.stringify([(b as { event?: unknown }).event ?? null, (b as { properties?: unknown }).properties ?? []]);
  for (const [i, e] of exclusions.entries()) {
    const attr = `query.funnelsFilter.exclusions.${i}`;
    if (e.funnelToStep > count - 1) {
      throw QueryError.badField(
        `${attr}.funnelToStep`,
        `${attr}.funnelToStep: the exclusion range ends after the last step (${count - 1}).`,
      );
    }
    if (e.funnelFromStep >= e.funnelToStep) {
      throw QueryError.badField(
        `${attr}.funnelFromStep`,
        `${attr}.funnelFromStep: must be before funnelToStep (an exclusion lies between two steps).`,
      );
    }
    for (let s = e.funnelFromStep; s <= e.funnelToStep; s++) {
      if (sameNode(e, query.series[s]!)) {
        throw QueryError.badField(
          attr,
          `${attr}: exclusion steps cannot contain an event that's part of funnel steps.`,
        );
      }
    }
  }
  if (exclusions.length && query.funnelsFilter?.funnelOrderType === 'unordered') {
    throw QueryError.badField(
      'query.funnelsFilter.exclusions',
      'query.funnelsFilter.exclusions: not supported yet for unordered funnels; use an ordered or strict funnel.',
    );
  }
  return exclusions;
}

/** The event names exclusions read (null: any event). */
export const exclusionEvents = (exclusions: Exclusion[]) => exclusions.map((e) => e.event ?? null);

/** SQL of each event's exclusion mask: bit k set when the event is an exclusion of step k (1 … steps - 1). */
export async function exclusionMaskSql(
  exclusions: Exclusion[],
  steps: number,
  needs: Needs,
  regex: RegexResolver,
): Promise<SQL> {
  if (!exclusions.length) return sql`0`;
  const matches: SQL[] = [];
  for (const [i, e] of exclusions.entries()) {
    const name = e.event === undefined || e.event === null ? sql`1` : sql`e.event = ${e.event}`;
    const props = await propertiesSql(e.properties, `query.funnelsFilter.exclusions.${i}.properties`, needs, regex);
    matches.push(sql`(${name} AND ${props})`);
  }
  const bits: SQL[] = [];
  for (let k = 1; k < steps; k++) {
    const covering = exclusions.flatMap((e, i) => (e.funnelFromStep < k && k <= e.funnelToStep ? [matches[i]!] : []));
    if (covering.length) bits.push(sql`(CASE WHEN ${sql.join(covering, sql` OR `)} THEN ${1 << k} ELSE 0 END)`);
  }
  return bits.length ? sql`(${sql.join(bits, sql` + `)})` : sql`0`;
}
