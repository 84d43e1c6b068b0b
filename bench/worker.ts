// The Worker that `npm run bench` starts (`wrangler dev bench/worker.ts`): the production Worker
// (src/index.ts) with the same bindings and Durable Object, plus the bench-only routes under
// /_bench (bench/routes.ts). The Worker and its person objects see their D1 bindings and queues
// through the bench's meter (bench/meter.ts), which counts what they cost while a bench part
// turns it on and otherwise only forwards. Nothing in src/ knows about it.
import type { Env } from '../src/env';
import worker, { PersonDO as ProductionPersonDO } from '../src/index';
import type { MergeStep, StepResult, UpdateStep } from '../src/persons/steps';
import type { IngestMessage } from '../src/queue/message';
import { countConsumerInvocation, countPersonObjectCall, meteredEnv } from './meter';
import { benchRoutes } from './routes';

export class PersonDO extends ProductionPersonDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, meteredEnv(env));
  }

  override applyUpdates(step: UpdateStep): Promise<StepResult> {
    countPersonObjectCall();
    return super.applyUpdates(step);
  }

  override applyMerge(step: MergeStep): Promise<StepResult> {
    countPersonObjectCall();
    return super.applyMerge(step);
  }
}

const isBenchPath = (url: string) => /^\/_bench(\/|$)/.test(new URL(url).pathname);

export default {
  fetch: (request, env, ctx) =>
    isBenchPath(request.url) ? benchRoutes.fetch(request, env, ctx) : worker.fetch(request, meteredEnv(env), ctx),
  queue: (batch, env) => {
    countConsumerInvocation(batch.messages.length);
    return worker.queue(batch, meteredEnv(env));
  },
} satisfies ExportedHandler<Env, IngestMessage>;
