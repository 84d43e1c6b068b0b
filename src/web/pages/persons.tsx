/** The persons list: search by distinct id or email, and one property filter as the REST API takes it. */
import { z } from 'zod';
import { lastSeenOfPersons, listPersons } from '../../db/person-reads';
import { projectDb } from '../../db/shards';
import {
  PERSON_PROPERTY_OPERATORS,
  PersonPropertyFilterSchema,
  type PersonPropertyFilter,
  type PersonPropertyOperator,
} from '../../schemas/property-filters';
import { appUrl, type WebContext } from '../context';
import { displayName, mainDistinctId, personTitle, placeholderKind } from '../person-names';
import { issuesText } from '../issues';
import { render } from '../render';
import { Flash, Layout, ListTable, Pager, Time } from '../ui';
import { pageAssets } from '../page-assets';
import { loadTaxonomy, unknownNames } from '../taxonomy';
import { Datalists, NameInput, UnknownNames } from './pickers';

const PERSONS_PAGE_SIZE = 100;

const PersonsQuery = z.object({
  q: z.string().max(400).optional(),
  key: z.string().max(400).optional(),
  op: z.enum(PERSON_PROPERTY_OPERATORS).optional(),
  value: z.string().max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The form's one property filter, validated like the REST API's `properties`; undefined when no key was given. */
function propertyFilterOf(q: z.infer<typeof PersonsQuery>): { filter?: PersonPropertyFilter; error?: string } {
  if (!q.key) return {};
  const op = q.op ?? 'exact';
  const parsed = PersonPropertyFilterSchema.safeParse({
    key: q.key,
    operator: op,
    value: op === 'is_set' || op === 'is_not_set' ? undefined : (q.value ?? ''),
  });
  if (!parsed.success) return { error: issuesText(parsed.error, 'filter') };
  return { filter: { key: parsed.data.key, operator: parsed.data.operator, value: parsed.data.value } };
}

const OPERATOR_LABELS: Record<PersonPropertyOperator, string> = {
  exact: 'equals',
  is_not: 'is not',
  icontains: 'contains',
  is_set: 'is set',
  is_not_set: 'is not set',
  gt: '>',
  lt: '<',
};

export async function personsPage(c: WebContext) {
  const project = c.get('project');
  const parsed = PersonsQuery.safeParse(c.req.query());
  const q = parsed.success ? parsed.data : { offset: 0 };
  const { filter: propertyFilter, error } = parsed.success
    ? propertyFilterOf(q)
    : { filter: undefined, error: issuesText(parsed.error, 'query') };
  const db = await projectDb(c.env, project.id);
  const [rows, taxonomy, unknown] = await Promise.all([
    error
      ? []
      : listPersons(
          db,
          project.id,
          { search: q.q || undefined, properties: propertyFilter ? [propertyFilter] : undefined },
          PERSONS_PAGE_SIZE + 1,
          q.offset,
        ),
    loadTaxonomy(db, project.id),
    unknownNames(db, project.id, q.key ? [{ kind: 'person_property', name: q.key }] : []),
  ]);
  const persons = rows.slice(0, PERSONS_PAGE_SIZE);
  const lastSeen = await lastSeenOfPersons(
    db,
    project.id,
    persons.map((p) => p.id),
  );
  const query = { q: q.q, key: q.key, op: q.key ? q.op : undefined, value: q.key ? q.value : undefined };
  const path = `/projects/${project.id}/persons`;
  const deleted = c.req.query('deleted');
  return render(
    c,
    <Layout c={c} title="Persons" project={project} section="persons" {...pageAssets('persons')}>
      <h1>Persons</h1>
      {deleted && <Flash>Person deleted.</Flash>}
      <form method="get" action={appUrl(c, path)} class="filters" role="search">
        <label>
          Email, name or any id
          <input type="search" name="q" value={q.q ?? ''} placeholder="user@example.com" />
        </label>
        <fieldset>
          <legend>Property</legend>
          <NameInput
            kind="person_property"
            name="key"
            value={q.key ?? ''}
            placeholder="key, e.g. plan"
            label="Property key"
          />
          <select name="op" aria-label="Operator">
            {PERSON_PROPERTY_OPERATORS.map((op) => (
              <option value={op} selected={(q.op ?? 'exact') === op}>
                {OPERATOR_LABELS[op]}
              </option>
            ))}
          </select>
          <input name="value" value={q.value ?? ''} placeholder="value" aria-label="Property value" />
        </fieldset>
        <button type="submit">Search</button>
      </form>
      <Datalists taxonomy={taxonomy} />
      {error && <Flash kind="error">{error}</Flash>}
      <UnknownNames unknown={unknown} />
      <ListTable
        name="persons"
        columns={['Person', 'Distinct id', { label: 'Ids', num: true }, 'Last seen', 'Created']}
        items={persons}
        empty={<p class="empty">No persons match.</p>}
        row={(p) => (
          <tr>
            <td>
              <a href={appUrl(c, `${path}/${p.id}`)} class="person-name">
                {personTitle(p.properties, p.distinctIds, p.id)}
              </a>
              {placeholderKind(p.distinctIds) ? (
                <span class="badge warn" title="Not a user: see README, groupIdentify without distinctId">
                  {placeholderKind(p.distinctIds)}
                </span>
              ) : p.isIdentified ? null : (
                <span class="badge">anonymous</span>
              )}
            </td>
            <td class="id">
              {displayName(p.properties) ? (mainDistinctId(p.distinctIds) ?? '') : <span class="muted">—</span>}
            </td>
            <td class="num">{p.distinctIds.length}</td>
            <td>
              <Time at={lastSeen.get(p.id)} />
            </td>
            <td>
              <Time at={p.createdAt} />
            </td>
          </tr>
        )}
      />
      <Pager
        previous={
          q.offset > 0
            ? appUrl(c, path, { ...query, offset: Math.max(0, q.offset - PERSONS_PAGE_SIZE) || undefined })
            : null
        }
        next={
          rows.length > PERSONS_PAGE_SIZE ? appUrl(c, path, { ...query, offset: q.offset + PERSONS_PAGE_SIZE }) : null
        }
      />
    </Layout>,
    error ? 400 : 200,
  );
}
