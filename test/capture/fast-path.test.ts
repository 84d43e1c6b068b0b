import { describe, expect, it } from 'vitest';
import { isRootEventPath } from '../../src/capture/routes';
import { EVENT_PATHS } from './sdk-event';

describe('the fast path to capture', () => {
  it('takes the event routes at the root, with or without the slash, and nothing else', () => {
    for (const path of EVENT_PATHS) {
      expect(isRootEventPath(path, '/ingest')).toBe(true);
      expect(isRootEventPath(`${path}/`, undefined)).toBe(true);
    }
    for (const path of [
      '/',
      '/ingest/e/',
      '/api/projects/',
      '/app/',
      '/s/',
      '/flags',
      '/e/x',
      '/E/',
      '//e/',
      '/static/array.js',
    ]) {
      expect(isRootEventPath(path, '/ingest')).toBe(false);
    }
  });

  it('leaves a path under PATH_PREFIX to the app, which strips the prefix first', () => {
    expect(isRootEventPath('/batch/', '/batch')).toBe(false);
    expect(isRootEventPath('/e', 'e/')).toBe(false);
    expect(isRootEventPath('/e/', '/ingest')).toBe(true);
  });
});
