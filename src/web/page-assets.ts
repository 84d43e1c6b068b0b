/**
 * Which scripts and stylesheets each page loads, kept in page-assets.json so that
 * scripts/page-scripts.mjs states the JavaScript per page from the same list (docs/web-app-js.md).
 */
import PAGE_ASSETS from './page-assets.json';

type Bundle = keyof typeof PAGE_ASSETS;
interface PageAssets {
  scripts: string[];
  libraries: string[];
  styles: string[];
}

/** The assets of these bundles together (every page's own, app.js, is added by the Layout). */
export function pageAssets(...bundles: (Bundle | false | undefined)[]): PageAssets {
  const out: PageAssets = { scripts: [], libraries: [], styles: [] };
  for (const bundle of bundles) {
    if (!bundle) continue;
    const b = PAGE_ASSETS[bundle];
    out.scripts.push(...b.scripts);
    out.libraries.push(...b.libraries);
    out.styles.push(...b.styles);
  }
  return out;
}

export const EVERY_PAGE = PAGE_ASSETS['every page'];
