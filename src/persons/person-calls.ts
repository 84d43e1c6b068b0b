import type { Db } from '../db/client';
import type { Env } from '../env';
import { uuidFromDistinctId, type MergeRequest } from '../identity';
import { readIngestState, type Owners } from './ingest-state';
import type { MergeStep, PersonEvent, PersonSteps, StepResult, UpdateStep } from './steps';

const MAX_ATTEMPTS = 8;

/** Each step in the Durable Object of the person it writes, which serializes it and writes D1. */
export function personObjects(env: Env): PersonSteps {
  const stub = (personId: string) => env.PERSON.get(env.PERSON.idFromName(personId));
  return {
    update: (step) => stub(step.personId).applyUpdates(step),
    merge: (step) => stub(step.personId).applyMerge(step),
  };
}

/**
 * Runs the steps of related events in order, keeping the view of who owns each
 * distinct id (and the versions last seen) up to date. A "moved" answer means
 * another writer got there first: re-read the owners and try again.
 */
export class PersonCalls {
  constructor(
    private readonly steps: PersonSteps,
    private readonly db: Db,
    private readonly projectId: number,
    private readonly state: Owners,
  ) {}

  private get owners() {
    return this.state.owners;
  }

  async updates(items: PersonEvent[]): Promise<void> {
    const byOwner = new Map<string, PersonEvent[]>();
    for (const item of items) {
      const d = item.event.distinct_id;
      const key = this.owners.get(d) ?? `new:${d}`;
      byOwner.set(key, [...(byOwner.get(key) ?? []), item]);
    }
    await Promise.all([...byOwner.values()].map((group) => this.updatePerson(group)));
  }

  private async updatePerson(items: PersonEvent[]): Promise<void> {
    const distinctIds = [...new Set(items.map((i) => i.event.distinct_id))];
    for (let attempt = 1; items.length > 0; attempt++) {
      const owner = this.owners.get(distinctIds[0]!);
      const createFor = owner ? undefined : distinctIds[0]!;
      const step: UpdateStep = {
        projectId: this.projectId,
        personId: owner ?? this.newPersonId(createFor!, attempt),
        createFor,
        distinctIds,
        events: items,
        expectedVersion: owner ? this.state.versions.get(owner) : undefined,
      };
      const result = await this.steps.update(step);
      const settled = await this.settled(result, distinctIds, attempt, items);
      if (settled === true) return;
      items = settled;
      // Owners may now differ between these ids: split the group by owner again.
      if (new Set(distinctIds.map((d) => this.owners.get(d))).size > 1) return this.updates(items);
    }
  }

  async merge(item: PersonEvent, merge: MergeRequest): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const sourcePersonId = this.owners.get(merge.source) ?? null;
      const targetPersonId = this.owners.get(merge.target) ?? null;
      const personId = targetPersonId ?? sourcePersonId ?? this.newPersonId(merge.target, attempt);
      const step: MergeStep = {
        projectId: this.projectId,
        personId,
        request: merge,
        sourcePersonId,
        targetPersonId,
        event: item,
        expectedVersion: this.state.versions.get(personId),
      };
      const result = await this.steps.merge(step);
      const settled = await this.settled(result, [merge.source, merge.target], attempt, [item]);
      if (settled === true || settled.length === 0) return;
    }
  }

  /**
   * A new person for distinct id `d` gets uuidFromDistinctId, so concurrent
   * creators meet in one object. Should that uuid be taken by a person that no
   * longer owns `d` (after a split or delete), later attempts use a fresh uuid.
   */
  private newPersonId(d: string, attempt: number): string {
    return attempt <= 2 ? uuidFromDistinctId(this.projectId, d) : crypto.randomUUID();
  }

  /**
   * True once the step is written. Otherwise re-reads the owners of its ids and
   * returns the step's events still to do: one that another consumer stored
   * meanwhile (a duplicate delivery) must not apply its updates again.
   */
  private async settled(
    result: StepResult,
    distinctIds: string[],
    attempt: number,
    items: PersonEvent[],
  ): Promise<true | PersonEvent[]> {
    if (result.status === 'ok') {
      if (result.absorbedPersonId) {
        for (const [d, p] of this.owners) if (p === result.absorbedPersonId) this.owners.set(d, result.personId);
        this.state.versions.delete(result.absorbedPersonId);
      }
      for (const d of result.owns) this.owners.set(d, result.personId);
      this.state.versions.set(result.personId, result.version);
      return true;
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`person step kept moving after ${attempt} attempts (distinct ids ${distinctIds.join(', ')})`);
    }
    const uuids = items.map((i) => i.event.uuid);
    const fresh = await readIngestState(this.db, this.projectId, uuids, distinctIds, { rows: false });
    for (const d of distinctIds) {
      const owner = fresh.owners.get(d);
      if (owner) this.owners.set(d, owner);
      else this.owners.delete(d);
    }
    for (const [id, version] of fresh.versions) this.state.versions.set(id, version);
    return items.filter((i) => !fresh.storedUuids.has(i.event.uuid));
  }
}
