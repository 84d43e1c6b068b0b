/**
 * A person's properties as PostHog users read them: grouped (the rest,
 * campaign UTM and click ids, `$initial_*`, GeoIP), searchable by key or value,
 * empty values hidden unless asked for, and each with the time and kind
 * (`$set`, `$set_once`) of the write that last set it. A plain GET form: no
 * script needed.
 */
import type { PropertyWrites } from '../../identity/types';
import { appUrl, type WebContext } from '../context';
import { JsonText, Time } from '../ui';

const CAMPAIGN =
  /^(\$initial_)?(utm_|gclid$|gad_source$|gclsrc$|dclid$|gbraid$|wbraid$|fbclid$|msclkid$|twclid$|li_fat_id$|mc_cid$|igshid$|ttclid$|rdt_cid$|irclid$|_kx$)/;
const GROUPS = [
  ['Properties', (k: string) => !CAMPAIGN.test(k) && !k.startsWith('$initial_') && !k.startsWith('$geoip_')],
  ['Campaign (UTM, click ids)', (k: string) => CAMPAIGN.test(k)],
  [
    'Initial ($initial_*)',
    (k: string) => k.startsWith('$initial_') && !CAMPAIGN.test(k) && !k.startsWith('$initial_geoip_'),
  ],
  ['GeoIP', (k: string) => k.startsWith('$geoip_') || k.startsWith('$initial_geoip_')],
] as const;

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

const OPERATIONS: Record<string, string> = { set: '$set', set_once: '$set_once', unset: '$unset' };

export function PersonProperties({
  c,
  path,
  properties,
  writes,
}: {
  c: WebContext;
  path: string;
  properties: Record<string, unknown>;
  writes: PropertyWrites;
}) {
  const search = (c.req.query('props') ?? '').slice(0, 200).toLowerCase();
  const showEmpty = c.req.query('empty') === '1';
  const keys = Object.keys(properties).sort();
  const empties = keys.filter((k) => isEmpty(properties[k])).length;
  const shown = keys.filter(
    (k) =>
      (showEmpty || !isEmpty(properties[k])) &&
      (!search || k.toLowerCase().includes(search) || JSON.stringify(properties[k]).toLowerCase().includes(search)),
  );
  return (
    <>
      <form method="get" action={appUrl(c, path)} class="filters prop-filter" role="search">
        <label>
          Find a property
          <input type="search" name="props" value={search} placeholder="key or value" />
        </label>
        <label class="check">
          <input type="checkbox" name="empty" value="1" checked={showEmpty} /> Show empty values ({empties})
        </label>
        <button type="submit">Filter</button>
      </form>
      {keys.length === 0 && <p class="muted">No properties.</p>}
      {keys.length > 0 && shown.length === 0 && <p class="muted">No property matches.</p>}
      {GROUPS.map(([caption, inGroup]) => {
        const group = shown.filter(inGroup);
        if (group.length === 0) return null;
        return (
          <table class="props">
            <caption>{caption}</caption>
            <tbody>
              {group.map((k) => {
                const write = Object.hasOwn(writes, k) ? writes[k] : undefined;
                return (
                  <tr>
                    <th scope="row">{k}</th>
                    <td>
                      <JsonText value={properties[k]} />
                    </td>
                    <td class="set-at">
                      {write?.t ? (
                        <>
                          <Time at={write.t} /> <span class="muted">{OPERATIONS[write.op] ?? write.op}</span>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        );
      })}
    </>
  );
}
