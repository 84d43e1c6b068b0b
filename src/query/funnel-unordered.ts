/**
 * An actor's unordered funnel: from each event, the distinct steps done within
 * the window, each event taking its lowest step not yet done; the best start is
 * the one with most steps (the earliest of equals). The same answer as trying
 * every later event from every start, in O(events × steps²): for each step the
 * index of its next matching event is precomputed, so a start visits only the
 * events that complete a step.
 */
import type { ActorEvent } from './funnel-rows';

interface UnorderedAttempt {
  steps: number;
  times: number[];
  breakdown: string;
}

export function unorderedWalk(events: ActorEvent[], count: number, windowMs: number): UnorderedAttempt | null {
  const n = events.length;
  // next[k * (n + 1) + i]: the first index ≥ i whose event matches step k (n when none).
  const next = new Int32Array(count * (n + 1));
  for (let k = 0; k < count; k++) {
    const row = k * (n + 1);
    next[row + n] = n;
    for (let i = n - 1; i >= 0; i--) next[row + i] = events[i]![0] & (1 << k) ? i : next[row + i + 1]!;
  }
  let best: UnorderedAttempt | null = null;
  const position = new Int32Array(count);
  for (let a = 0; a < n; a++) {
    const [, t0, bv] = events[a]!;
    for (let k = 0; k < count; k++) position[k] = next[k * (n + 1) + a]!;
    let done = 0;
    const times: number[] = [];
    while (times.length < count) {
      let at = n;
      let step = -1;
      for (let k = 0; k < count; k++) {
        if (done & (1 << k)) continue;
        if (position[k]! < at) {
          at = position[k]!;
          step = k;
        }
      }
      if (step < 0 || at >= n || events[at]![1] - t0 > windowMs) break;
      done |= 1 << step;
      times.push(events[at]![1]);
      // Steps still to do whose next match was this event look further on.
      for (let k = 0; k < count; k++)
        if (!(done & (1 << k)) && position[k] === at) position[k] = next[k * (n + 1) + at + 1]!;
    }
    if (times.length === 0) continue;
    if (!best || times.length > best.steps) best = { steps: times.length, times, breakdown: bv };
    if (best.steps === count) break;
  }
  return best;
}
