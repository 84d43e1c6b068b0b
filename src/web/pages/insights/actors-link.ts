/** Links from an insight's numbers to the persons behind them (pages/actors.tsx), keeping the insight's parameters. */
import { appUrl, type WebContext } from '../../context';

/** Which number: a trend's series/day/breakdown/compare, a funnel's step and breakdown, a retention cell. */
export type NumberParams = Record<string, string | number | null | undefined>;
export type ActorsHref = (number: NumberParams) => string;

const NUMBER_PARAMS = ['series', 'day', 'breakdown', 'compare', 'step', 'cohort', 'returned', 'offset'];

export function actorsHrefOf(c: WebContext, insightsPath: string): ActorsHref {
  const search = new URL(c.req.url).searchParams;
  return (number) => {
    const params = new URLSearchParams(search);
    for (const name of NUMBER_PARAMS) params.delete(name);
    for (const [name, value] of Object.entries(number))
      if (value !== undefined && value !== null) params.set(name, String(value));
    return `${appUrl(c, `${insightsPath}/actors`)}?${params}`;
  };
}
