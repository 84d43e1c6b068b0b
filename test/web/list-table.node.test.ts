// The list pages' table: with `total`, the line under it says when the list is cut short
// (dashboards and saved insights show the first 100 of their matches).
import { jsx } from 'hono/jsx';
import { describe, expect, it } from 'vitest';
import { ListTable } from '../../src/web/ui';

const rendered = (items: string[], total?: number) =>
  String(
    ListTable({
      name: 'things',
      columns: ['Name'],
      items,
      row: (item: string) => jsx('tr', {}, jsx('td', {}, item)),
      empty: jsx('p', { class: 'empty' }, 'None yet.'),
      total,
    }),
  );

describe('ListTable', () => {
  it('says how many of how many it shows when the list is cut short', () => {
    const html = rendered(['a', 'b'], 7);
    expect(html).toContain('<td>a</td>');
    expect(html).toContain('The first 2 of 7; search to narrow.');
  });

  it('says nothing more when every match is shown, or when no total is given', () => {
    expect(rendered(['a', 'b'], 2)).not.toContain('The first');
    expect(rendered(['a', 'b'])).not.toContain('The first');
  });

  it('shows only `empty` for no items, whatever the total', () => {
    expect(rendered([], 3)).toBe('<p class="empty">None yet.</p>');
  });
});
