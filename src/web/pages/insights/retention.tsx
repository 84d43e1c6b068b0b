/** A RetentionQuery's results: the cohort table, each cell shaded by the share that came back. */
import { ListTable } from '../../ui';
import { NumberLink } from './number-link';
import type { ActorsHref } from './actors-link';
import { percent } from './format';

export interface RetentionRow {
  date: string;
  label: string;
  values: { count: number; label?: string }[];
}

export function Retention({
  results,
  period,
  actorsHref,
}: {
  results: RetentionRow[];
  period: string;
  actorsHref?: ActorsHref;
}) {
  if (results.length === 0) return <p class="empty">No data for this query.</p>;
  const width = Math.max(...results.map((r) => r.values.length));
  return (
    <ListTable
      name="retention"
      columns={[
        'Cohort',
        { label: 'Persons', num: true },
        ...Array.from({ length: width }, (_, i) => `${period} ${i}`),
      ]}
      items={results}
      empty={null}
      row={(r) => {
        const cohort = results.indexOf(r);
        const size = r.values[0]?.count ?? 0;
        return (
          <tr>
            <th scope="row">{r.date ? r.date.slice(0, 10) : r.label}</th>
            <td class="num">
              <NumberLink href={actorsHref} number={{ cohort, returned: 0 }}>
                {size}
              </NumberLink>
            </td>
            {Array.from({ length: width }, (_, i) => {
              const v = r.values[i];
              if (!v) return <td />;
              const p = percent(v.count, size);
              const alpha = (0.08 + (0.85 * p) / 100).toFixed(3);
              return (
                <td
                  style={`background:rgba(29,74,255,${alpha});color:${p > 50 ? '#fff' : 'inherit'}`}
                  title={`${v.count} of ${size}`}
                  data-count={String(v.count)}
                >
                  {size > 0 ? (
                    <NumberLink href={actorsHref} number={{ cohort, returned: i }}>{`${p.toFixed(1)}%`}</NumberLink>
                  ) : (
                    '—'
                  )}
                </td>
              );
            })}
          </tr>
        );
      }}
    />
  );
}
