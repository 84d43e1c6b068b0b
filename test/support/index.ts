// Test support for the workers pool: import from 'test/support' (relative), not from the files.
export * from './worker';
export * from './rest-types';
export * from './stored';
export * from './wait';
export * from './events';
export * from './encodings';
export * from './send';
export * from './d1-faults';
export * from './random';
export * from './seed';
export * from './web';
export * from './fuzz';
