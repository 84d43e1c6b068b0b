/**
 * One actor's ordered or strict funnel, walked as PostHog's funnel UDF walks it
 * (funnel-udf/src/steps.rs), in one pass over the actor's events in time order,
 * for one breakdown value:
 *
 * - every step-1 event restarts step 1 from itself, so a conversion is timed
 *   from the latest step-1 event before it (not the first);
 * - step k+1 is entered from step k when the event lies within the window of
 *   that chain's step-1 event, once per chain;
 * - an exclusion event for step k+1 (one between the exclusion's funnelFromStep
 *   and funnelToStep) within the window of the chain at step k, before that
 *   chain went on, voids the chain: it goes no further, and when the furthest
 *   step reached is voided (and no other chain reaches it) the actor is left out;
 * - with "step" attribution, the event of the attributed step must carry the
 *   breakdown value walked;
 * - the furthest step reached first is the answer, with the times of its chain;
 * - events sharing a timestamp with different steps are taken step by step,
 *   each event used once in a chain (exclusions are not applied there, as
 *   PostHog's); strict funnels drop every chain an event does not continue.
 *
 * Work is O(events × steps).
 */

/** [step bit mask, epoch ms, breakdown key, exclusion bit mask (bit k: an exclusion for step k+1)] in time order. */
export type WalkEvent = [number, number, string, number];

interface Chain {
  start: number;
  times: number[];
  /** Indexes of the events used (a same-timestamp event is used once). */
  used: number[];
  excluded: boolean;
}

interface WalkResult {
  steps: number;
  /** Epoch ms of each step of the chain that reached `steps`. */
  times: number[];
}

interface WalkOptions {
  strict: boolean;
  /** "step" attribution: the 1-indexed step whose event must carry `propVal` (PostHog's breakdownAttributionValue + 1). */
  attributedStep?: number;
  propVal?: string;
}

const bitsOf = (mask: number, count: number) => {
  const out: number[] = [];
  for (let s = 1; s <= count; s++) if (mask & (1 << (s - 1))) out.push(s);
  return out;
};

export function walkFunnel(events: WalkEvent[], count: number, windowMs: number, opts: WalkOptions): WalkResult | null {
  const entered: (Chain | null)[] = new Array(count + 1).fill(null);
  let max: { step: number; chain: Chain } | null = null;

  const exclude = (step: number, t: number) => {
    const previous = entered[step - 1];
    if (!previous || t - previous.start > windowMs) return;
    if (entered[step] && entered[step]!.start === previous.start) return;
    if (previous.excluded) return;
    entered[step - 1] = { ...previous, excluded: true };
    if (max && max.step === step - 1 && t - max.chain.start <= windowMs) {
      max = { step: max.step, chain: { ...max.chain, excluded: true } };
    }
  };

  const enter = (index: number, step: number, multiple: boolean) => {
    const [, t, bv] = events[index]!;
    const previous = entered[step - 1];
    if (!previous || t - previous.start > windowMs) return;
    if (entered[step] && entered[step]!.start === previous.start) return;
    if (opts.attributedStep === step && bv !== opts.propVal) return;
    if (multiple && previous.used.includes(index)) return;
    const chain: Chain = {
      start: previous.start,
      times: [...previous.times, t],
      used: [...previous.used, index],
      excluded: previous.excluded,
    };
    if (!previous.excluded) entered[step] = chain;
    if (!max || step > max.step || (step === max.step && max.chain.excluded)) max = { step, chain };
  };

  const process = (index: number, steps: number[], exclusions: number[], multiple: boolean) => {
    // PostHog's order: the exclusions (highest step first), then the steps (highest first).
    for (const step of [...exclusions].reverse()) exclude(step, events[index]![1]);
    for (const step of [...steps].reverse()) enter(index, step, multiple);
    if (!multiple && opts.strict) {
      const mask = events[index]![0];
      for (let s = 1; s <= count; s++) if (!(mask & (1 << (s - 1)))) entered[s] = null;
    }
  };

  for (let i = 0; i < events.length; ) {
    const t = events[i]![1];
    let end = i;
    while (end < events.length && events[end]![1] === t) end++;
    entered[0] = { start: t, times: [], used: [], excluded: false };
    const kinds = new Set(events.slice(i, end).map((e) => `${e[0]}/${e[3]}`));
    if (kinds.size === 1) {
      for (let k = i; k < end; k++) process(k, bitsOf(events[k]![0], count), bitsOf(events[k]![3], count), false);
    } else {
      const singles: [number, number][] = [];
      for (let k = i; k < end; k++) for (const s of bitsOf(events[k]![0], count)) singles.push([k, s]);
      singles.sort((a, b) => a[1] - b[1]);
      for (const [k, s] of singles) process(k, [s], [], true);
    }
    i = end;
    if (entered[count]) break;
  }
  const best = max as { step: number; chain: Chain } | null;
  if (!best || best.chain.excluded) return null;
  return { steps: best.step, times: best.chain.times };
}
