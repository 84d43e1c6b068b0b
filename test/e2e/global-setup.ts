// Starts one isolated `wrangler dev` for the whole e2e run and stops it afterwards (also when
// suites fail). Suites get its address and key through `inject('service')`.
import type { TestProject } from 'vitest/node';
import { proxySecret, startService } from './lib/service';

export interface ServiceInfo {
  baseUrl: string;
  apiKey: string;
  logFile: string;
  /** What a trusted reverse proxy sends in X-Proxy-Secret (the service's PROXY_SECRET). */
  proxySecret: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    service: ServiceInfo;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const secret = proxySecret();
  const service = await startService(secret);
  console.log(
    `[e2e] wrangler dev ready at ${service.baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${service.logFile})`,
  );
  project.provide('service', {
    baseUrl: service.baseUrl,
    apiKey: service.apiKey,
    logFile: service.logFile,
    proxySecret: secret,
  });
  return async () => {
    await service.stop();
  };
}
