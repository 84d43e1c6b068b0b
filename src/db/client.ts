import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = ReturnType<typeof newDb>;

const newDb = (d1: D1Database) => drizzle(d1, { schema });

/** Drizzle walks the whole schema when it wraps a database: once per binding, not once per request. */
const wrapped = new WeakMap<D1Database, Db>();

export function dbOf(d1: D1Database): Db {
  let db = wrapped.get(d1);
  if (!db) wrapped.set(d1, (db = newDb(d1)));
  return db;
}
