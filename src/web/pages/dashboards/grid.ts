/**
 * The dashboard grid: tiles in PostHog's `layouts.sm` cells (12 columns), read in order (row,
 * then column) and packed row by row after a move or a resize, so buttons can move a tile one
 * place earlier or later and change its size without dragging, and a tile dragged onto another
 * takes its place.
 */
export const COLUMNS = 12;
export const WIDTHS = [3, 4, 6, 8, 12] as const;
const MIN_HEIGHT = 2;
const MAX_HEIGHT = 12;

export interface Cell {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Placed {
  id: number;
  cell: Cell;
}

const DEFAULT_CELL: Cell = { x: 0, y: 0, w: 6, h: 5 };

/** A tile's cell from its layouts (a missing or odd one gets the default size, placed last). */
export function cellOf(layouts: Record<string, unknown>): Cell | undefined {
  const sm = layouts.sm as Partial<Cell> | undefined;
  if (!sm || ![sm.x, sm.y, sm.w, sm.h].every((n) => Number.isInteger(n))) return undefined;
  return {
    x: Math.min(Math.max(sm.x!, 0), COLUMNS - 1),
    y: Math.max(sm.y!, 0),
    w: Math.min(Math.max(sm.w!, 1), COLUMNS),
    h: Math.min(Math.max(sm.h!, MIN_HEIGHT), MAX_HEIGHT),
  };
}

/** Tiles in reading order: placed ones by row then column, then unplaced ones by id. */
export function inReadingOrder<T extends { id: number; layouts: Record<string, unknown> }>(tiles: T[]): T[] {
  const key = (t: T) => cellOf(t.layouts);
  return [...tiles].sort((a, b) => {
    const ca = key(a);
    const cb = key(b);
    if (ca && cb) return ca.y - cb.y || ca.x - cb.x || a.id - b.id;
    if (ca || cb) return ca ? -1 : 1;
    return a.id - b.id;
  });
}

/** Packs sizes row by row in this order: the cells to store. */
export function pack(sizes: { id: number; w: number; h: number }[]): Placed[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return sizes.map(({ id, w, h }) => {
    if (x + w > COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { id, cell: { x, y, w, h } };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return placed;
  });
}

export type GridChange = 'earlier' | 'later' | 'wider' | 'narrower' | 'taller' | 'shorter';
export const GRID_CHANGES: readonly GridChange[] = ['earlier', 'later', 'wider', 'narrower', 'taller', 'shorter'];

type Ordered = { id: number; layouts: Record<string, unknown> }[];

const sizesOf = (ordered: Ordered) =>
  ordered.map((t) => {
    const cell = cellOf(t.layouts) ?? DEFAULT_CELL;
    return { id: t.id, w: cell.w, h: cell.h };
  });

/** The new cells of every tile after one change to tile `id` (tiles given in reading order). */
export function changeGrid(ordered: Ordered, id: number, change: GridChange): Placed[] {
  const sizes = sizesOf(ordered);
  const index = sizes.findIndex((s) => s.id === id);
  if (index < 0) return pack(sizes);
  const size = sizes[index]!;
  const widthAt = WIDTHS.findIndex((w) => w >= size.w);
  if (change === 'earlier' && index > 0) [sizes[index - 1], sizes[index]] = [size, sizes[index - 1]!];
  if (change === 'later' && index < sizes.length - 1) [sizes[index + 1], sizes[index]] = [size, sizes[index + 1]!];
  if (change === 'wider')
    size.w = WIDTHS[Math.min(WIDTHS.length - 1, (widthAt < 0 ? WIDTHS.length - 1 : widthAt) + 1)]!;
  if (change === 'narrower') size.w = WIDTHS[Math.max(0, (widthAt < 0 ? WIDTHS.length : widthAt) - 1)]!;
  if (change === 'taller') size.h = Math.min(MAX_HEIGHT, size.h + 1);
  if (change === 'shorter') size.h = Math.max(MIN_HEIGHT, size.h - 1);
  return pack(sizes);
}

/**
 * The new cells of every tile after tile `id` was dragged onto tile `onto` (tiles given in
 * reading order): it leaves its place and takes the other's, which moves one place on.
 */
export function moveOnto(ordered: Ordered, id: number, onto: number): Placed[] {
  const sizes = sizesOf(ordered);
  const from = sizes.findIndex((s) => s.id === id);
  const to = sizes.findIndex((s) => s.id === onto);
  if (from >= 0 && to >= 0) sizes.splice(to, 0, ...sizes.splice(from, 1));
  return pack(sizes);
}
