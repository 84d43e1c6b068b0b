/** A RetentionQuery's results: the cohort table, each cell shaded by the share that came back. */
import { ListTable } from '../../ui';
import { percent } from './format';

export interface RetentionRow {
  date: string;
  label: string;
  values: { count: number; label?: string }[];
}

export function Retention({ results, period }: { results: RetentionRow[]; period: string }) {
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
        const size = r.values[0]?.count ?? 0;
        return (
          <tr>
            <th scope="row">{r.date ? r.date.slice(0, 10) : r.label}</th>
            <td class="num">{size}</td>
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
                  {size > 0 ? `${p.toFixed(1)}%` : '—'}
                </td>
              );
            })}
          </tr>
        );
      }}
    />
  );
}
