// The Worker that `npm run bench` starts (`wrangler dev bench/worker.ts`): the production Worker
// (src/index.ts) with the same bindings and Durable Object, plus the bench-only routes under
// /_bench (bench/routes.ts). Nothing in src/ knows about it.
import type { Env } from '../src/env';
import worker from '../src/index';
import type { IngestMessage } from '../src/queue/message';
import { benchRoutes } from './routes';

export { PersonDO } from '../src/index';

const isBenchPath = (url: string) => /^\/_bench(\/|$)/.test(new URL(url).pathname);

export default {
  fetch: (request, env, ctx) =>
    isBenchPath(request.url) ? benchRoutes.fetch(request, env, ctx) : worker.fetch(request, env, ctx),
  queue: worker.queue,
} satisfies ExportedHandler<Env, IngestMessage>;
