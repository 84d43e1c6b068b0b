/**
 * The funnel walk's exclusion and step-attribution rules on small histories,
 * each stated as PostHog's funnel UDF behaves (funnel-udf/src/steps.rs): the
 * expectation is the rule, the events are built to exercise it.
 */
import { describe, expect, it } from 'vitest';
import { type WalkEvent, walkFunnel } from '../../src/query/funnel-walk';

const STEP1 = 0b001;
const STEP2 = 0b010;
const STEP3 = 0b100;
/** An exclusion of step 2 (between the first two steps): bit 1 of the exclusion mask. */
const EXCL2 = 0b010;

const ev = (mask: number, t: number, excl = 0, bv = '[""]'): WalkEvent => [mask, t, bv, excl];
const ordered = { strict: false };

describe('funnel walk: exclusions', () => {
  it('an exclusion after step 1 and before step 2 voids the attempt; the actor is left out', () => {
    expect(walkFunnel([ev(STEP1, 0), ev(0, 5, EXCL2), ev(STEP2, 8)], 2, 100, ordered)).toBeNull();
  });

  it('an exclusion after the attempt reached step 2 changes nothing', () => {
    expect(walkFunnel([ev(STEP1, 0), ev(STEP2, 5), ev(0, 8, EXCL2)], 2, 100, ordered)).toEqual({
      steps: 2,
      times: [0, 5],
    });
  });

  it('a new step-1 event after the exclusion starts a clean attempt', () => {
    expect(walkFunnel([ev(STEP1, 0), ev(0, 5, EXCL2), ev(STEP1, 7), ev(STEP2, 9)], 2, 100, ordered)).toEqual({
      steps: 2,
      times: [7, 9],
    });
  });

  it('an exclusion outside the window of the attempt does not void it', () => {
    const events = [ev(STEP1, 0), ev(0, 11, EXCL2), ev(STEP2, 12)];
    expect(walkFunnel(events, 2, 10, ordered)).toEqual({ steps: 1, times: [0] });
    expect(walkFunnel([ev(STEP1, 0), ev(0, 5, EXCL2), ev(STEP2, 12)], 2, 10, ordered)).toBeNull();
  });

  it('a voided attempt that got furthest leaves the actor out unless a later attempt gets as far', () => {
    const exclStep3 = 0b100;
    const voided = [ev(STEP1, 0), ev(STEP2, 1), ev(0, 2, exclStep3), ev(STEP3, 3)];
    expect(walkFunnel(voided, 3, 100, ordered)).toBeNull();
    expect(walkFunnel([...voided, ev(STEP1, 4), ev(STEP2, 5)], 3, 100, ordered)).toBeNull();
    expect(walkFunnel([...voided, ev(STEP1, 4), ev(STEP2, 5), ev(STEP3, 6)], 3, 100, ordered)).toEqual({
      steps: 3,
      times: [4, 5, 6],
    });
  });

  it('events at the same instant as steps are walked step by step, without exclusions', () => {
    expect(walkFunnel([ev(STEP1, 0), ev(0, 3, EXCL2), ev(STEP2, 3)], 2, 100, ordered)).toEqual({
      steps: 2,
      times: [0, 3],
    });
  });
});

describe('funnel walk: step attribution', () => {
  const events = [ev(STEP1, 0, 0, '["B"]'), ev(STEP2, 5, 0, '["A"]'), ev(STEP3, 6, 0, '["B"]')];

  it('the attributed step must be done by an event of the value walked', () => {
    expect(walkFunnel(events, 3, 100, { strict: false, attributedStep: 2, propVal: '["A"]' })).toEqual({
      steps: 3,
      times: [0, 5, 6],
    });
    expect(walkFunnel(events, 3, 100, { strict: false, attributedStep: 2, propVal: '["B"]' })).toEqual({
      steps: 1,
      times: [0],
    });
  });
});
