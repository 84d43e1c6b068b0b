// The dashboard grid's move and resize buttons, against a plain model: a list of sizes in reading
// order, packed row by row into 12 columns.
import { describe, expect, it } from 'vitest';
import { changeGrid, GRID_CHANGES, inReadingOrder, moveOnto, pack, WIDTHS } from '../../src/web/pages/dashboards/grid';

interface Tile {
  id: number;
  layouts: Record<string, unknown>;
}

/** The model: rows filled left to right; a tile that does not fit starts the next row. */
function modelPack(sizes: { id: number; w: number; h: number }[]) {
  const rows: { id: number; w: number; h: number }[][] = [[]];
  for (const s of sizes) {
    const row = rows.at(-1)!;
    if (row.reduce((sum, t) => sum + t.w, 0) + s.w > 12) rows.push([s]);
    else row.push(s);
  }
  const out: { id: number; cell: { x: number; y: number; w: number; h: number } }[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    for (const t of row) {
      out.push({ id: t.id, cell: { x, y, w: t.w, h: t.h } });
      x += t.w;
    }
    y += Math.max(0, ...row.map((t) => t.h));
  }
  return out;
}

describe('dashboard grid', () => {
  it('packs like the model and reads back in the same order', () => {
    for (let seed = 1; seed < 200; seed++) {
      const sizes = Array.from({ length: (seed % 7) + 1 }, (_, i) => ({
        id: i + 1,
        w: WIDTHS[(seed * (i + 3)) % WIDTHS.length]!,
        h: 2 + ((seed + i) % 6),
      }));
      const packed = pack(sizes);
      expect(packed).toEqual(modelPack(sizes));
      const tiles: Tile[] = packed.map((p) => ({ id: p.id, layouts: { sm: p.cell } })).reverse();
      expect(inReadingOrder(tiles).map((t) => t.id)).toEqual(sizes.map((s) => s.id));
    }
  });

  it('moves one place and resizes within bounds', () => {
    const tiles: Tile[] = [1, 2, 3].map((id) => ({ id, layouts: {} }));
    const order = (placed: { id: number }[]) => placed.map((p) => p.id);
    expect(order(changeGrid(tiles, 3, 'earlier'))).toEqual([1, 3, 2]);
    expect(order(changeGrid(tiles, 1, 'earlier'))).toEqual([1, 2, 3]);
    expect(order(changeGrid(tiles, 1, 'later'))).toEqual([2, 1, 3]);
    expect(order(changeGrid(tiles, 3, 'later'))).toEqual([1, 2, 3]);
    const cellOf = (placed: { id: number; cell: { w: number; h: number } }[], id: number) =>
      placed.find((p) => p.id === id)!.cell;
    expect(cellOf(changeGrid(tiles, 2, 'wider'), 2).w).toBe(8);
    expect(cellOf(changeGrid(tiles, 2, 'narrower'), 2).w).toBe(4);
    expect(cellOf(changeGrid([{ id: 1, layouts: { sm: { x: 0, y: 0, w: 12, h: 2 } } }], 1, 'wider'), 1)).toMatchObject({
      w: 12,
    });
    expect(
      cellOf(changeGrid([{ id: 1, layouts: { sm: { x: 0, y: 0, w: 3, h: 2 } } }], 1, 'narrower'), 1),
    ).toMatchObject({ w: 3 });
    expect(cellOf(changeGrid([{ id: 1, layouts: { sm: { x: 0, y: 0, w: 3, h: 2 } } }], 1, 'shorter'), 1).h).toBe(2);
    expect(cellOf(changeGrid([{ id: 1, layouts: { sm: { x: 0, y: 0, w: 3, h: 12 } } }], 1, 'taller'), 1).h).toBe(12);
    for (const change of GRID_CHANGES)
      expect(changeGrid(tiles, 99, change)).toEqual(pack(tiles.map((t) => ({ id: t.id, w: 6, h: 5 }))));
  });
});

describe('dragging a tile onto another', () => {
  const tiles: Tile[] = [1, 2, 3, 4].map((id) => ({ id, layouts: {} }));
  const order = (placed: { id: number }[]) => placed.map((p) => p.id);

  it('takes the place of the tile it is dropped on, forwards and backwards', () => {
    expect(order(moveOnto(tiles, 1, 3))).toEqual([2, 3, 1, 4]);
    expect(order(moveOnto(tiles, 4, 1))).toEqual([4, 1, 2, 3]);
    expect(order(moveOnto(tiles, 2, 3))).toEqual([1, 3, 2, 4]);
    expect(order(moveOnto(tiles, 3, 2))).toEqual([1, 3, 2, 4]);
  });

  it('is a one-place move when dropped on a neighbour, as the buttons move it', () => {
    for (let i = 1; i < tiles.length; i++) {
      const id = tiles[i]!.id;
      expect(moveOnto(tiles, id, tiles[i - 1]!.id)).toEqual(changeGrid(tiles, id, 'earlier'));
      expect(moveOnto(tiles, tiles[i - 1]!.id, id)).toEqual(changeGrid(tiles, tiles[i - 1]!.id, 'later'));
    }
  });

  it('keeps every size and packs the grid; an unknown tile or itself changes nothing but the packing', () => {
    const sized: Tile[] = [
      { id: 1, layouts: { sm: { x: 0, y: 0, w: 12, h: 3 } } },
      { id: 2, layouts: { sm: { x: 0, y: 3, w: 4, h: 2 } } },
      { id: 3, layouts: { sm: { x: 4, y: 3, w: 8, h: 6 } } },
    ];
    const moved = moveOnto(sized, 3, 1);
    expect(moved).toEqual(
      modelPack([
        { id: 3, w: 8, h: 6 },
        { id: 1, w: 12, h: 3 },
        { id: 2, w: 4, h: 2 },
      ]),
    );
    const unchanged = modelPack([
      { id: 1, w: 12, h: 3 },
      { id: 2, w: 4, h: 2 },
      { id: 3, w: 8, h: 6 },
    ]);
    expect(moveOnto(sized, 3, 99)).toEqual(unchanged);
    expect(moveOnto(sized, 99, 1)).toEqual(unchanged);
    expect(moveOnto(sized, 2, 2)).toEqual(unchanged);
  });
});
