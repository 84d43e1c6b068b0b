// Types of cpu.mjs, for the TypeScript tests.
export function runtimeCpu(rootPid: number): Map<number, number>;
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number;
