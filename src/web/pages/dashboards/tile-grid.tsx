/** A dashboard's tiles in their grid, for the owner (with controls) or for a shared link (read only). */
import type { FC } from 'hono/jsx';
import type { TileJson } from '../../../dashboards/shapes';
import type { ActorsHref } from '../insights/actors-link';
import { Time } from '../../ui';
import { cellOf, type GridChange, inReadingOrder } from './grid';
import { TileBody } from './tile-body';

/** Where each tile's controls post, and where its title links; absent on a shared page. */
interface TileActions {
  insightUrl: (insightId: number) => string;
  changeUrl: (tileId: number) => string;
  removeUrl: (tileId: number) => string;
  /** Where a tile's numbers lead: the persons behind them. */
  actorsHref: (tileId: number) => ActorsHref;
}

const CONTROLS: [GridChange, string, string][] = [
  ['earlier', '←', 'Move earlier'],
  ['later', '→', 'Move later'],
  ['narrower', '−W', 'Narrower'],
  ['wider', '+W', 'Wider'],
  ['shorter', '−H', 'Shorter'],
  ['taller', '+H', 'Taller'],
];

const sourceOf = (query: Record<string, unknown>) =>
  (typeof query.source === 'object' && query.source ? query.source : query) as Record<string, unknown>;

function TileControls({ tile, title, actions }: { tile: TileJson; title: string; actions: TileActions }) {
  return (
    <div class="tile-controls">
      <form method="post" action={actions.changeUrl(tile.id)}>
        {CONTROLS.map(([change, text, label]) => (
          <button
            type="submit"
            name="change"
            value={change}
            class="secondary small"
            aria-label={`${label}: ${title}`}
            title={label}
          >
            {text}
          </button>
        ))}
      </form>
      <form method="post" action={actions.removeUrl(tile.id)}>
        <button type="submit" class="secondary small" aria-label={`Remove from dashboard: ${title}`}>
          Remove
        </button>
      </form>
    </div>
  );
}

export const TileGrid: FC<{ tiles: TileJson[]; actions?: TileActions; showPersonIds: boolean }> = ({
  tiles,
  actions,
  showPersonIds,
}) => {
  if (tiles.length === 0) return <p class="empty">No tiles yet.</p>;
  const ordered = inReadingOrder(tiles);
  // On the owner's page, dashboards.js lets a tile be dragged onto another (posting to `data-change`).
  const drag = (tile: TileJson) =>
    actions ? { draggable: 'true' as const, 'data-change': actions.changeUrl(tile.id) } : {};
  return (
    <ol class="tile-grid" data-drag-tiles={actions ? '' : undefined}>
      {ordered.map((tile) => {
        const cell = cellOf(tile.layouts) ?? { w: 6, h: 5 };
        const style = `--w:${cell.w};--h:${cell.h}`;
        const insight = tile.insight;
        if (!insight) {
          const title = `Text: ${(tile.text?.body ?? '').slice(0, 40)}`;
          return (
            <li class="tile text-tile" style={style} data-tile={tile.id} {...drag(tile)}>
              <p class="tile-text">{tile.text?.body ?? ''}</p>
              {actions && <TileControls tile={tile} title={title} actions={actions} />}
            </li>
          );
        }
        const title = insight.name || 'Untitled insight';
        const source = sourceOf(insight.query);
        const period = String((source.retentionFilter as { period?: string } | undefined)?.period ?? 'Day');
        return (
          <li class="tile" style={style} data-tile={tile.id} {...drag(tile)}>
            <header class="tile-head">
              <h2>{actions ? <a href={actions.insightUrl(insight.id)}>{title}</a> : title}</h2>
              {insight.description && <p class="muted">{insight.description}</p>}
              <p class="tile-meta muted">
                {String(source.kind ?? '')} · computed <Time at={insight.last_refresh} />
              </p>
            </header>
            {tile.error ? (
              <p class="flash error">{tile.error.message}</p>
            ) : (
              <TileBody
                kind={String(source.kind ?? '')}
                result={insight.result}
                columns={insight.columns}
                period={period}
                interval={String(source.interval ?? 'day')}
                showPersonIds={showPersonIds}
                actorsHref={actions?.actorsHref(tile.id)}
              />
            )}
            {actions && <TileControls tile={tile} title={title} actions={actions} />}
          </li>
        );
      })}
    </ol>
  );
};
