/** Start-up answers that keep posthog-js quiet: no flags, no recordings, no surveys, no site apps. */

export const flagsResponse = () => ({ flags: {}, errorsWhileComputingFlags: false, requestId: crypto.randomUUID() });

export const decideResponse = () => ({
  config: { enable_collect_everything: true },
  featureFlags: {},
  supportedCompression: ['gzip', 'gzip-js'],
  sessionRecording: false,
  toolbarParams: {},
  isAuthenticated: false,
  siteApps: [],
});

/** `/array/<token>/config`. The endpoint is relative to `api_host`, so it works under a path prefix. */
export const remoteConfig = () => ({
  supportedCompression: ['gzip', 'gzip-js'],
  hasFeatureFlags: false,
  analytics: { endpoint: '/i/v0/e/' },
  sessionRecording: false,
  surveys: false,
  heatmaps: false,
  siteApps: [],
  toolbarParams: {},
  isAuthenticated: false,
  defaultIdentifiedOnly: true,
});

/** `/array/<token>/config.js`: sets `window._POSTHOG_REMOTE_CONFIG[token]`. */
export function remoteConfigScript(token: string): string {
  const entry = { config: remoteConfig(), siteApps: [] };
  return `(function() {
  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};
  window._POSTHOG_REMOTE_CONFIG[${scriptJson(token)}] = ${scriptJson(entry)};
})();
`;
}

/** JSON that is also safe inside a script (no `</script>`, no line separators). */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
