// Starts one isolated `wrangler dev` for the whole e2e run and stops it afterwards (also when
// suites fail). Suites get its address and key through `inject('service')`.
import type { TestProject } from 'vitest/node';
import { startService } from './lib/service';

export interface ServiceInfo {
  baseUrl: string;
  apiKey: string;
  logFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    service: ServiceInfo;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const service = await startService();
  console.log(`[e2e] wrangler dev ready at ${service.baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${service.logFile})`);
  project.provide('service', { baseUrl: service.baseUrl, apiKey: service.apiKey, logFile: service.logFile });
  return async () => {
    await service.stop();
  };
}
