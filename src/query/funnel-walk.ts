/**
 * One actor's ordered or strict funnel, walked as PostHog's funnel UDF walks it
 * (funnel-udf/src/steps.rs), in one pass over the actor's events in time order:
 *
 * - every step-1 event restarts step 1 from itself, so a conversion is timed
 *   from the latest step-1 event before it (not the first);
 * - step k+1 is entered from step k when the event lies within the window of
 *   that chain's step-1 event, once per chain;
 * - the furthest step reached first is the answer, with the times of its chain;
 * - events sharing a timestamp with different steps are taken step by step,
 *   each event used once in a chain; strict funnels drop every chain an event
 *   does not continue.
 *
 * Work is O(events × steps).
 */

/** [step bit mask, epoch ms, breakdown value] in time order. */
export type WalkEvent = [number, number, string];

interface Chain {
  start: number;
  times: number[];
  /** Indexes of the events used (a same-timestamp event is used once). */
  used: number[];
  breakdown: string;
}

export interface WalkResult {
  steps: number;
  /** Epoch ms of each step of the chain that reached `steps`. */
  times: number[];
  /** The breakdown value of that chain's step-1 event. */
  breakdown: string;
}

const stepsOfMask = (mask: number, count: number) => {
  const out: number[] = [];
  for (let s = 1; s <= count; s++) if (mask & (1 << (s - 1))) out.push(s);
  return out;
};

export function walkFunnel(events: WalkEvent[], count: number, windowMs: number, strict: boolean): WalkResult | null {
  const entered: (Chain | null)[] = new Array(count + 1).fill(null);
  let max: { step: number; chain: Chain } | null = null;

  const process = (index: number, steps: number[], multiple: boolean) => {
    const [mask, t, bv] = events[index]!;
    for (const step of [...steps].reverse()) {
      const previous = entered[step - 1];
      if (!previous || t - previous.start > windowMs) continue;
      if (entered[step] && entered[step]!.start === previous.start) continue;
      if (multiple && previous.used.includes(index)) continue;
      const chain: Chain = {
        start: previous.start,
        times: [...previous.times, t],
        used: [...previous.used, index],
        breakdown: step === 1 ? bv : previous.breakdown,
      };
      entered[step] = chain;
      if (!max || step > max.step) max = { step, chain };
    }
    if (!multiple && strict) for (let s = 1; s <= count; s++) if (!(mask & (1 << (s - 1)))) entered[s] = null;
  };

  for (let i = 0; i < events.length; ) {
    const t = events[i]![1];
    let end = i;
    while (end < events.length && events[end]![1] === t) end++;
    entered[0] = { start: t, times: [], used: [], breakdown: events[i]![2] };
    const masks = new Set(events.slice(i, end).map((e) => e[0]));
    if (masks.size === 1) {
      for (let k = i; k < end; k++) process(k, stepsOfMask(events[k]![0], count), false);
    } else {
      const singles: [number, number][] = [];
      for (let k = i; k < end; k++) for (const s of stepsOfMask(events[k]![0], count)) singles.push([k, s]);
      singles.sort((a, b) => a[1] - b[1]);
      for (const [k, s] of singles) process(k, [s], true);
    }
    i = end;
    if (entered[count]) break;
  }
  const best = max as { step: number; chain: Chain } | null;
  return best ? { steps: best.step, times: best.chain.times, breakdown: best.chain.breakdown } : null;
}
