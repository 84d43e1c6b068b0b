/**
 * The bounds of one query (docs/queries.md, "Budgets"): what it may read, how
 * many values its answer may hold, how long it may run. The cost is estimated
 * before the first statement (cost.ts) and anything over the budget is a 400
 * `query_too_expensive` naming what to narrow; the deadline is checked before
 * and after every statement and through the Worker-side loops (regex tests,
 * funnel walks), so a query that still overruns answers a JSON 504.
 *
 * No Cloudflare imports: the numbers and checks are tested in plain Node.
 */
import { QueryError } from './errors';

export const QUERY_BUDGET = {
  /** Event rows one query may read, over all its statements (an index count before it runs). */
  scannedRows: 2_000_000,
  /**
   * Event rows one statement reads (slices.ts): D1 runs one statement at a time per database, and
   * locally on the thread that serves every request, so each statement is kept short (tens of ms).
   */
  statementRows: 10_000,
  /** Index entries one counting statement walks (the cost estimate's counts; no row is read). */
  countedRows: 100_000,
  /**
   * Values the Worker holds to merge a bucket that spans statements: the distinct actors of a
   * `dau`-like count, the values of a quantile, the active days of weekly/monthly active users.
   */
  mergedValues: 1_000_000,
  /** Values in a trends answer: buckets × series × periods × breakdown values kept. */
  cells: 200_000,
  /** Distinct-value scans for regex filters (one per property key and series). */
  regexScans: 20,
  /** Characters of property values one query tests against regex patterns (re2js, linear time). */
  regexChars: 20_000_000,
  /** Events of one person (or group) a funnel walks; beyond it, that person's latest are left out. */
  funnelEventsPerActor: 10_000,
  /** The JSON answer; EventsQuery rows beyond it are cut with `hasMore: true`. */
  answerBytes: 16 * 1024 * 1024,
  /** Wall time from the start of the query; past it the next check answers 504. */
  deadlineMs: 20_000,
} as const;

export type QueryLimits = { -readonly [K in keyof typeof QUERY_BUDGET]: number };

export function tooExpensive(detail: string, attr: string | null): QueryError {
  return new QueryError(400, 'query_too_expensive', detail, attr);
}

/** One query's running account against its limits. */
export class QueryBudget {
  readonly deadline: number;
  private regexScans = 0;
  private regexChars = 0;
  /** What one statement found that a later one of the same query can reuse (the index marks of slice-walk.ts). */
  readonly found = new Map<string, unknown>();

  constructor(
    readonly limits: QueryLimits = { ...QUERY_BUDGET },
    startedAt = Date.now(),
  ) {
    this.deadline = startedAt + limits.deadlineMs;
  }

  private lastYield = Date.now();

  /**
   * Lets the isolate's other requests run when this query has held it for a
   * while (a few ms): between its statements, and in its Worker-side loops.
   */
  async yieldIfDue(now = Date.now()): Promise<void> {
    if (now - this.lastYield < YIELD_AFTER_MS) return;
    await yieldToOthers();
    this.lastYield = Date.now();
  }

  /** Throws the 504 once the deadline has passed. */
  checkDeadline(now = Date.now()): void {
    if (now > this.deadline) throw QueryError.timedOut();
  }

  chargeRegexScan(attr: string): void {
    if (++this.regexScans > this.limits.regexScans) {
      throw tooExpensive(
        `The query has more than ${this.limits.regexScans} regex filters on different properties or series; ` +
          'combine patterns with | or use fewer filters.',
        attr,
      );
    }
  }

  chargeRegexChars(chars: number, attr: string): void {
    this.regexChars += chars;
    if (this.regexChars > this.limits.regexChars) {
      throw tooExpensive(
        `Regex filters would test more than ${this.limits.regexChars} characters of property values; ` +
          'narrow the date range or use exact/icontains filters.',
        attr,
      );
    }
  }
}

/**
 * The budget of the query running on a database handle. Every query kind runs
 * its statements through `run(db, …)` (source.ts) with the handle it was
 * given; keying the budget by that handle bounds every statement without
 * threading one more argument through every compiler.
 */
const budgets = new WeakMap<object, QueryBudget>();

export function attachBudget(db: object, budget: QueryBudget): void {
  budgets.set(db, budget);
}

export function budgetOf(db: object): QueryBudget | undefined {
  return budgets.get(db);
}

/** Time a query runs before it next lets other requests run (ms). */
const YIELD_AFTER_MS = 5;

/**
 * Event-loop turns one yield gives away: a waiting request takes a few to get through (locally wrangler's
 * entry worker hands it to this one); with one turn, `/_readiness` waited about two statements, with three
 * well under one (measured: p50 40 ms instead of 80–180 ms over a million events).
 */
const YIELD_TURNS = 3;

/** Lets other requests run between chunks of Worker-side work (the isolate is shared). */
export async function yieldToOthers(): Promise<void> {
  for (let i = 0; i < YIELD_TURNS; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Keeps an answer within `answerBytes` of JSON: EventsQuery-style answers
 * (`results` rows with `hasMore`) lose their last rows and say `hasMore: true`,
 * as PostHog's limit does; any other answer that large is refused.
 */
export function capAnswer<T extends Record<string, unknown>>(answer: T, limits: QueryLimits): T {
  const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;
  const total = bytes(answer);
  if (total <= limits.answerBytes) return answer;
  const rows = answer.results;
  if ('hasMore' in answer && Array.isArray(rows)) {
    let size = bytes({ ...answer, results: [], hasMore: true });
    let kept = 0;
    while (kept < rows.length) {
      const next = bytes(rows[kept]) + (kept > 0 ? 1 : 0); // the comma before it
      if (size + next > limits.answerBytes) break;
      size += next;
      kept++;
    }
    return { ...answer, results: rows.slice(0, kept), hasMore: true };
  }
  throw tooExpensive(
    `The answer would be ${total} bytes of JSON; at most ${limits.answerBytes} are allowed. ` +
      'Use a shorter range, a coarser interval or a lower breakdown_limit.',
    null,
  );
}
