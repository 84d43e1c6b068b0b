import { createContext, useContext, type Child, type FC, type PropsWithChildren } from 'hono/jsx';
import { wallClockOf, ymd } from '../time-zone';
import type { Project } from '../db/projects';
import { appUrl, type WebContext } from './context';
import { EVERY_PAGE } from './page-assets';

/**
 * In asset URLs; bump it when a page needs a changed script at once (assets are cached 5 minutes, then revalidated).
 */
const ASSET_VERSION = '1';
const assetUrl = (c: WebContext, name: string) => appUrl(c, `/assets/${name}`, { v: ASSET_VERSION });

type Section = 'persons' | 'groups' | 'events' | 'warnings' | 'insights' | 'dashboards' | 'settings';

interface LayoutProps {
  c: WebContext;
  title: string;
  project?: Project;
  section?: Section;
  /** Extra scripts of this page, by asset name. */
  scripts?: string[];
  styles?: string[];
  /** Classic (non-module) scripts, run in order before the module scripts (the chart library). */
  libraries?: string[];
  signedIn?: boolean;
}

export const Layout: FC<PropsWithChildren<LayoutProps>> = ({
  c,
  title,
  project,
  section,
  scripts = [],
  styles = [],
  libraries = [],
  signedIn = true,
  children,
}) => {
  const p = project ? `/projects/${project.id}` : '';
  const timezone = project?.timezone ?? 'UTC';
  const nav: [Section, string, string][] = [
    ['persons', 'Persons', `${p}/persons`],
    ['groups', 'Groups', `${p}/groups`],
    ['events', 'Events', `${p}/events`],
    ['warnings', 'Warnings', `${p}/warnings`],
    ['insights', 'Insights', `${p}/insights`],
    ['dashboards', 'Dashboards', `${p}/dashboards`],
    ['settings', 'Project', `${p}`],
  ];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · PostHog edge`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl(c, 'app.css')} />
        {styles.map((s) => (
          <link rel="stylesheet" href={assetUrl(c, s)} />
        ))}
        {libraries.map((s) => (
          <script defer src={assetUrl(c, s)} />
        ))}
        {[...EVERY_PAGE.scripts, ...scripts].map((s) => (
          <script type="module" src={assetUrl(c, s)} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href={appUrl(c, '/')}>
            PostHog edge
          </a>
          {project && (
            <nav aria-label="Project">
              <a class="project-name" href={appUrl(c, '/projects')} title="All projects">
                {project.name}
              </a>
              {nav.map(([key, label, path]) => (
                <a href={appUrl(c, path)} aria-current={section === key ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
          )}
          {project && (
            <button type="button" class="tz-switch link" data-timezone={timezone} title="Times are shown in this zone">
              {`Times: ${timezone}`}
            </button>
          )}
          {signedIn && (
            <form method="post" action={appUrl(c, '/logout')} class="signout">
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main id="main">
          <TimeZone.Provider value={timezone}>{children}</TimeZone.Provider>
        </main>
      </body>
    </html>
  );
};

/** The project's time zone, in which every page shows its times (as the insights count). */
const TimeZone = createContext('UTC');

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A timestamp in the project's time zone, labelled with it; app.js switches it to the viewer's local time on request
 * (from `datetime`).
 */
export const Time: FC<{ at: string | null | undefined }> = ({ at }) => {
  const timezone = useContext(TimeZone);
  if (!at) return <span class="muted">—</span>;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <span>{at}</span>;
  const w = wallClockOf(d.getTime(), timezone);
  const text = `${ymd(w)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  return (
    <time datetime={d.toISOString()} title={`${d.toISOString()} · ${timezone}`}>
      {text} <span class="tz">{zoneLabel(d, timezone)}</span>
    </time>
  );
};

/** The zone's short name at that instant (`PST`, `GMT+5:30`, `UTC`). */
function zoneLabel(d: Date, timezone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timezone;
}

/** Any JSON value as text (never markup). */
export const JsonText: FC<{ value: unknown }> = ({ value }) => {
  if (typeof value === 'string') return <span class="str">{value}</span>;
  return <code>{JSON.stringify(value)}</code>;
};

export const PropertyTable: FC<{ properties: Record<string, unknown>; caption?: string }> = ({
  properties,
  caption,
}) => {
  const keys = Object.keys(properties).sort();
  if (keys.length === 0) return null;
  return (
    <table class="props">
      {caption && <caption>{caption}</caption>}
      <tbody>
        {keys.map((k) => (
          <tr>
            <th scope="row">{k}</th>
            <td>
              <JsonText value={properties[k]} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

export const Pager: FC<{ previous?: string | null; next?: string | null }> = ({ previous, next }) =>
  previous || next ? (
    <nav class="pager" aria-label="Pages">
      {previous ? (
        <a href={previous} rel="prev">
          ← Newer
        </a>
      ) : (
        <span />
      )}
      {next ? (
        <a href={next} rel="next">
          Older →
        </a>
      ) : (
        <span />
      )}
    </nav>
  ) : null;

export const Flash: FC<{ kind?: 'error' | 'ok'; children?: Child }> = ({ kind = 'ok', children }) => (
  <p class={`flash ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </p>
);

/** A list table's column heading; `num` right-aligns it (counts, amounts). */
type Column = string | { label: string; num: true };

/**
 * The list pages' table (`table.list`, scrolling sideways when too wide): one heading per
 * column and one `<tr>` per item, from `row`; `empty` stands in for a table without items.
 * With `total` (how many match, of which `items` are the first), a line below says when the
 * list is cut short and that searching narrows it.
 */
export function ListTable<T>({
  name,
  columns,
  items,
  row,
  empty,
  total,
}: {
  /** An extra class naming the list (`persons`, `warnings`, …). */
  name?: string;
  columns: Column[];
  items: T[];
  row: (item: T) => Child;
  empty: Child;
  total?: number;
}) {
  if (items.length === 0) return <>{empty}</>;
  return (
    <>
      <div class="scroll">
        <table class={name ? `list ${name}` : 'list'}>
          <thead>
            <tr>
              {columns.map((column) =>
                typeof column === 'string' ? (
                  <th scope="col">{column}</th>
                ) : (
                  <th scope="col" class="num">
                    {column.label}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>{items.map(row)}</tbody>
        </table>
      </div>
      {total !== undefined && total > items.length && (
        <p class="muted">
          The first {items.length} of {total}; search to narrow.
        </p>
      )}
    </>
  );
}

/** A list page's search box: a GET form back to the page with `search`. */
export function SearchForm({ action, label, search }: { action: string; label: string; search: string | undefined }) {
  return (
    <form method="get" action={action} class="inline" role="search">
      <label>
        {label} <input type="search" name="search" value={search} />
      </label>
      <button type="submit" class="secondary">
        Search
      </button>
    </form>
  );
}
