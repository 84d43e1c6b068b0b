import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

/** One object per person (named by person UUID): serializes merges and property writes. */
export class PersonDO extends DurableObject<Env> {}
