import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActorEvent } from '../../src/query/funnel-rows';
import { unorderedWalk } from '../../src/query/funnel-unordered';

/** The plain model: from every start, every later event in turn (quadratic), as funnels.ts walked before. */
function modelUnordered(events: ActorEvent[], steps: number, windowMs: number) {
  let best: { steps: number; times: number[]; breakdown: string } | null = null;
  for (let a = 0; a < events.length; a++) {
    const [, t0, bv] = events[a]!;
    let done = 0;
    const times: number[] = [];
    for (let i = a; i < events.length && times.length < steps; i++) {
      const [m, t] = events[i]!;
      if (t - t0 > windowMs) break;
      const fresh = m & ~done;
      if (!fresh) continue;
      done |= fresh & -fresh;
      times.push(t);
    }
    if (times.length === 0) continue;
    if (!best || times.length > best.steps) best = { steps: times.length, times, breakdown: bv };
    if (best.steps === steps) break;
  }
  return best;
}

const actorEvents = (steps: number) =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: (1 << steps) - 1 }),
        fc.integer({ min: 0, max: 50 }),
        fc.constantFrom('a', 'b', 'c'),
      ),
      { maxLength: 60 },
    )
    .map((raw) => {
      let t = 0;
      return raw.map(([mask, gap, bv]): ActorEvent => [mask, (t += gap), bv]);
    });

describe('unordered funnel walk', () => {
  it('answers as the quadratic model for any events, steps and window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((steps) => fc.tuple(fc.constant(steps), actorEvents(steps))),
        fc.integer({ min: 0, max: 400 }),
        ([steps, events], windowMs) => {
          expect(unorderedWalk(events, steps, windowMs)).toEqual(modelUnordered(events, steps, windowMs));
        },
      ),
      { numRuns: 3000, seed: 4 },
    );
  });

  it('stays linear for a hot actor: 100,000 step-1 events that never convert', () => {
    const events: ActorEvent[] = Array.from({ length: 100_000 }, (_, i) => [1, i, '']);
    const started = performance.now();
    expect(unorderedWalk(events, 3, 1e12)?.steps).toBe(1);
    // The quadratic walk needs 5·10⁹ steps here (tens of seconds); the bound is loose for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
