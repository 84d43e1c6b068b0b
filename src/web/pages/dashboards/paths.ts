/** Where the saved insights and dashboards pages live in the app, and links from numbers to their persons. */
import type { ActorsHref } from '../insights/actors-link';

export const dashboardPath = (projectId: number, id: number) => `/projects/${projectId}/dashboards/${id}`;
export const savedInsightPath = (projectId: number, id: number) => `/projects/${projectId}/insights/saved/${id}`;
/** The persons behind a number of a dashboard's tile (its insight under the dashboard's filters). */
export const tileActorsPath = (projectId: number, dashboardId: number, tileId: number) =>
  `${dashboardPath(projectId, dashboardId)}/tiles/${tileId}/actors`;
/** The persons behind a number of a saved insight (alone). */
export const savedInsightActorsPath = (projectId: number, id: number) => `${savedInsightPath(projectId, id)}/actors`;

/** Links a number to the persons page at `href` (an app URL), with the number's parameters only. */
export function numberHref(href: string): ActorsHref {
  return (number) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(number))
      if (value !== undefined && value !== null) params.set(name, String(value));
    return `${href}?${params}`;
  };
}
