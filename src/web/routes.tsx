import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { secretsEqual } from '../api/auth';
import { authBlockedFor, authClientKey, recordAuthFailure } from '../api/auth-failures';
import { dbOf } from '../db/client';
import { parseStrictId } from '../schemas/ids';
import { getProject } from '../db/projects';
import { serveAsset } from './assets';
import { appUrl, type WebContext, type WebEnv } from './context';
import { eventPage, eventsJson, eventsPage } from './pages/events';
import { groupPage, groupsPage } from './pages/groups';
import { dashboardPages } from './dashboard-routes';
import { sharedDashboardPage } from './pages/dashboards/shared';
import { insightsPage } from './pages/insights/page';
import { actorsPage } from './pages/actors';
import { deletePersonAction, personPage, splitPersonAction } from './pages/person';
import { personsPage } from './pages/persons';
import { firstEventJson } from './pages/first-event';
import { propertyValuesJson } from './property-values';
import { createProjectAction, projectPage, projectsPage, updateProjectAction } from './pages/projects';
import { signInPage } from './pages/sign-in';
import { notFoundPage, render } from './render';
import { isSameOrigin, SESSION_COOKIE, SESSION_TTL_SECONDS } from './session';
import { endSession, isLiveSession, startSession } from './session-store';
import { warningsPage } from './pages/warnings';

/** How long a wrong key waits before its answer: slows guessing without state. */
export const WRONG_KEY_DELAY_MS = 1000;

/** The web app; mounted by `webAppMount` (src/web/mount.ts) at `/app` and `<PATH_PREFIX>/app`. */
export const web = new Hono<WebEnv>({ strict: false });

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Bar widths and cell shades are inline style attributes (numbers the server computed).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

web.use('*', async (c, next) => {
  const started = Date.now();
  await next();
  // How long the Worker took (its clock moves with I/O, which is where a page's time goes).
  c.header('Server-Timing', `app;dur=${Date.now() - started}`);
  // A shared dashboard sets its own (framable when its owner allows it).
  if (!c.res.headers.has('Content-Security-Policy')) {
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Frame-Options', 'DENY');
  }
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
});

const isMutating = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

// Every mutating request (sign-in included) must come from a page of this origin.
web.use('*', async (c, next) => {
  if (isMutating(c.req.method) && !isSameOrigin(c.req.raw)) {
    return c.text('Cross-origin request refused.', 403);
  }
  await next();
});

web.get('/assets/:name', (c) => serveAsset(c, c.req.param('name')));

const cookiePath = (c: WebContext) => `${c.env.WEB_BASE}/`;
const isHttps = (c: WebContext) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('X-Forwarded-Proto') === 'https';

async function signedIn(c: WebContext): Promise<boolean> {
  const key = c.env.PERSONAL_API_KEY;
  return Boolean(key) && (await isLiveSession(dbOf(c.env.DB), key!, getCookie(c, SESSION_COOKIE)));
}

const tooManyWrongKeys = (c: WebContext, seconds: number) => {
  c.header('Retry-After', String(seconds));
  const error = `Too many wrong keys from your address. Try again in ${seconds} seconds.`;
  return render(c, signInPage(c, { error }), 429);
};

web.get('/', async (c) => {
  if (await signedIn(c)) return c.redirect(appUrl(c, '/projects'), 303);
  return render(c, signInPage(c, {}));
});

web.post('/login', async (c) => {
  const expected = c.env.PERSONAL_API_KEY;
  if (!expected) return render(c, signInPage(c, { error: 'PERSONAL_API_KEY is not configured on this server.' }), 503);
  const client = authClientKey(c.req.raw, c.env);
  const blocked = authBlockedFor(client);
  if (blocked !== undefined) return tooManyWrongKeys(c, blocked);
  const form = await c.req.parseBody();
  const given = typeof form.key === 'string' ? form.key.trim() : '';
  if (given === '' || !(await secretsEqual(given, expected))) {
    const wait = given === '' ? undefined : await recordAuthFailure(c.env, client);
    if (wait !== undefined) return tooManyWrongKeys(c, wait);
    await new Promise((resolve) => setTimeout(resolve, WRONG_KEY_DELAY_MS));
    return render(c, signInPage(c, { error: 'That is not the personal API key of this server.' }), 401);
  }
  setCookie(c, SESSION_COOKIE, await startSession(dbOf(c.env.DB), expected), {
    path: cookiePath(c),
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    maxAge: SESSION_TTL_SECONDS,
  });
  return c.redirect(appUrl(c, '/projects'), 303);
});

web.post('/logout', async (c) => {
  const key = c.env.PERSONAL_API_KEY;
  if (key) await endSession(dbOf(c.env.DB), key, getCookie(c, SESSION_COOKIE));
  deleteCookie(c, SESSION_COOKIE, { path: cookiePath(c), httpOnly: true, sameSite: 'Strict', secure: isHttps(c) });
  return c.redirect(appUrl(c, '/'), 303);
});

// A dashboard shared by its secret link: no session.
web.get('/shared/:project_id/:token', (c) => sharedDashboardPage(c, CONTENT_SECURITY_POLICY));

// Everything below needs a session.
web.use('*', async (c, next) => {
  if (await signedIn(c)) return next();
  if (c.req.method === 'GET' && !c.req.path.endsWith('.json')) return c.redirect(appUrl(c, '/'), 303);
  return c.json({ type: 'authentication_error', code: 'not_signed_in', detail: 'Sign in first.' }, 401);
});

web.get('/projects', (c) => projectsPage(c));
web.post('/projects', createProjectAction);

const projectScope = createMiddleware<WebEnv>(async (c, next) => {
  const id = parseStrictId(c.req.param('project_id'));
  const project = id === undefined ? undefined : await getProject(dbOf(c.env.DB), id);
  if (!project) return notFoundPage(c, 'No such project.');
  c.set('project', project);
  await next();
});
web.use('/projects/:project_id', projectScope);
web.use('/projects/:project_id/*', projectScope);

web.get('/projects/:project_id', (c) => projectPage(c));
web.post('/projects/:project_id/settings', updateProjectAction);
web.get('/projects/:project_id/persons', personsPage);
web.get('/projects/:project_id/persons/:uuid', personPage);
web.post('/projects/:project_id/persons/:uuid/split', splitPersonAction);
web.post('/projects/:project_id/persons/:uuid/delete', deletePersonAction);
web.get('/projects/:project_id/groups', groupsPage);
web.get('/projects/:project_id/groups/:index/:key', groupPage);
web.get('/projects/:project_id/events', eventsPage);
web.get('/projects/:project_id/events.json', eventsJson);
web.get('/projects/:project_id/events/:uuid', eventPage);
web.get('/projects/:project_id/warnings', warningsPage);
web.get('/projects/:project_id/first-event.json', firstEventJson);
web.get('/projects/:project_id/property-values.json', propertyValuesJson);
web.get('/projects/:project_id/insights', insightsPage);
web.get('/projects/:project_id/insights/actors', actorsPage);
web.route('/', dashboardPages);

web.notFound((c) => notFoundPage(c, 'No such page.'));
web.onError((err, c) => {
  console.error('web app error', err instanceof Error ? err.stack : String(err));
  return c.text('Something went wrong on the server.', 500);
});
