/** How the insights page writes numbers, durations and breakdown values. */
import { BREAKDOWN_NULL, BREAKDOWN_OTHER } from '../../../query/filters';

export const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** `part` as a percentage of `whole` (0 when there is no whole). */
export const percent = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

/** A duration in seconds, in the largest unit that keeps it readable; a dash when unknown. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** A breakdown value as text, PostHog's null and other labels as words. */
export function breakdownText(v: unknown): string {
  if (v === BREAKDOWN_NULL) return '(none)';
  if (v === BREAKDOWN_OTHER) return '(other)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
