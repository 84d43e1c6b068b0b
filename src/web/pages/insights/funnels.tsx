/** A FunnelsQuery's results: per breakdown value, the steps as bars with conversion and times. */
import { NumberLink } from './number-link';
import type { ActorsHref } from './actors-link';
import { breakdownText, duration, formatNumber, percent } from './format';

export interface FunnelStep {
  name: string;
  custom_name?: string | null;
  order: number;
  count: number;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  breakdown_value?: unknown;
}

export function Funnel({ results, actorsHref }: { results: FunnelStep[] | FunnelStep[][]; actorsHref?: ActorsHref }) {
  if (results.length === 0) return <p class="empty">No data for this query.</p>;
  const groups: FunnelStep[][] = Array.isArray(results[0]) ? (results as FunnelStep[][]) : [results as FunnelStep[]];
  return (
    <section>
      {groups.map((steps) => {
        const first = steps[0]?.count ?? 0;
        const bv = steps[0]?.breakdown_value;
        const last = steps.at(-1);
        const breakdown = bv === undefined ? null : String(Array.isArray(bv) ? bv[0] : bv);
        return (
          <div class="funnel-group">
            {bv !== undefined && <h2>{Array.isArray(bv) ? bv.map(breakdownText).join(', ') : breakdownText(bv)}</h2>}
            <p class="meta">
              {formatNumber(percent(last?.count ?? 0, first))}% converted from the first step to the last (
              {last?.count ?? 0} of {first}).
            </p>
            <ol class="funnel">
              {steps.map((s, i) => {
                const previous = i > 0 ? steps[i - 1]!.count : s.count;
                const conversion = percent(s.count, first);
                return (
                  <li class="step">
                    <div>
                      <strong>
                        {i + 1}. {s.custom_name || s.name}
                      </strong>
                    </div>
                    <div
                      class="bar"
                      role="img"
                      aria-label={`${s.count} persons, ${conversion.toFixed(1)}% of the first step`}
                    >
                      <span class="fill" style={`width:${conversion.toFixed(2)}%`} />
                      <NumberLink
                        class="label"
                        href={actorsHref}
                        number={{ step: i + 1, breakdown }}
                        title="The persons who reached this step"
                      >
                        {s.count} · {conversion.toFixed(1)}%
                      </NumberLink>
                    </div>
                    <div class="stats">
                      {i > 0 ? (
                        <>
                          {formatNumber(percent(s.count, previous))}% from the previous step,{' '}
                          <NumberLink
                            href={actorsHref}
                            number={{ step: -(i + 1), breakdown }}
                            title="The persons who dropped off before this step"
                          >
                            {previous - s.count} dropped off
                          </NumberLink>{' '}
                          · average time {duration(s.average_conversion_time)}, median{' '}
                          {duration(s.median_conversion_time)}
                        </>
                      ) : (
                        'entered the funnel'
                      )}
                    </div>
                  </li>
                );
              })}
            </ol>
          </div>
        );
      })}
    </section>
  );
}
