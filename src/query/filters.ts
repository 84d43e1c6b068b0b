/**
 * Property filters and breakdown values compiled to SQL over the resolved
 * events source (src/query/source.ts). Every value is a bound parameter, every
 * key is either a bound JSON path (`$."key"`) or, for keys a path cannot spell
 * (quotes, backslashes, control characters), a bound `json_each` key match.
 *
 * The property sources are pluggable: a filter's `type` picks the JSON column
 * it reads (`event` → the event's properties, `person` → the current person's).
 */
import { sql, type SQL } from 'drizzle-orm';
import { RE2JS } from 're2js';
import { QueryError } from './errors';
import { groupPropertySource, requiredGroupIndex } from './groups';
import type { PropertyValue } from '../schemas/property-filters';
import type { PropertyFilterInput, PropertyGroupInput } from './schema';
import type { Needs, PropertySource, RegexResolver } from './types';

export const PROPERTY_SOURCES: Record<string, PropertySource> = {
  event: {
    column: sql.raw('e.properties'),
    require: (needs) => {
      needs.row = true;
    },
  },
  person: {
    column: sql.raw('p.properties'),
    require: (needs) => {
      needs.person = true;
    },
  },
};

export function sourceOf(
  type: string,
  attr: string,
  groupTypeIndex?: number | null,
  groupAttr = attr.replace(/\.type$|_type$/, '.group_type_index'),
): PropertySource {
  if (type === 'group') return groupPropertySource(requiredGroupIndex(groupTypeIndex, groupAttr, 'a group property'));
  const source = Object.hasOwn(PROPERTY_SOURCES, type) ? PROPERTY_SOURCES[type] : undefined;
  if (!source) {
    const types = [...Object.keys(PROPERTY_SOURCES), 'group'].join(', ');
    throw QueryError.badField(attr, `${attr}: property type "${type}" is not supported; use one of ${types}.`);
  }
  return source;
}

/** A JSON path can quote any key without `"`, `\` or control characters (stored properties are JSON.stringify'd). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a JSON path cannot hold
const PATH_SAFE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/u;

/** A string as an SQL literal; only for text we build or have checked (JSON paths of PATH_SAFE keys). */
const sqlLiteral = (text: string) => sql.raw(`'${text.replace(/'/g, "''")}'`);

/** A one-row subquery `(t, v)`: the property's JSON type and value (both NULL when missing). */
function propertyRow(column: SQL, key: string): SQL {
  if (PATH_SAFE.test(key)) {
    // A quoted path literal, not a parameter: D1 binds at most 100 parameters per statement.
    const path = sqlLiteral(`$."${key}"`);
    return sql`(SELECT json_type(${column}, ${path}) AS t, json_extract(${column}, ${path}) AS v)`;
  }
  return sql`(SELECT (SELECT j.type FROM json_each(${column}) j WHERE j.key = ${key}) AS t,
    (SELECT j.value FROM json_each(${column}) j WHERE j.key = ${key}) AS v)`;
}

/**
 * A property's value as text, the way PostHog compares and breaks down
 * property values: `true`/`false` for booleans, the number's digits, the
 * string itself, JSON text for objects and arrays; NULL when missing or null.
 */
const TEXT_FORM = sql.raw(
  `CASE x.t WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL ELSE CAST(x.v AS TEXT) END`,
);

/** The property as a number (PostHog's toFloat): JSON numbers, or strings holding a number; NULL otherwise. */
const NUMERIC_FORM = sql.raw(
  `CASE WHEN x.t IN ('integer', 'real') THEN x.v
        WHEN x.t = 'text' AND trim(x.v) <> '' AND json_valid(trim(x.v)) AND json_type(trim(x.v)) IN ('integer', 'real')
          THEN CAST(trim(x.v) AS REAL) END`,
);

/**
 * The property's text form as one flat expression (no subquery: it is computed
 * for every row of a breakdown or a selected column). SQLite caches the parse of
 * the properties between the two JSON calls.
 */
export function propertyText(column: SQL, key: string): SQL {
  if (!PATH_SAFE.test(key)) return sql`(SELECT ${TEXT_FORM} FROM ${propertyRow(column, key)} AS x)`;
  const path = sqlLiteral(`$."${key}"`);
  return sql`(CASE json_type(${column}, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL
    ELSE CAST(json_extract(${column}, ${path}) AS TEXT) END)`;
}

export function propertyNumber(column: SQL, key: string): SQL {
  return sql`(SELECT ${NUMERIC_FORM} FROM ${propertyRow(column, key)} AS x)`;
}

export const BREAKDOWN_NULL = '$$_posthog_breakdown_null_$$';
export const BREAKDOWN_OTHER = '$$_posthog_breakdown_other_$$';
/** PostHog's default `breakdown_limit`: the values beyond it are summed into BREAKDOWN_OTHER. */
export const DEFAULT_BREAKDOWN_LIMIT = 25;

const textOf = (v: PropertyValue) => (typeof v === 'string' ? v : String(v));

function valuesOf(f: PropertyFilterInput): PropertyValue[] {
  if (f.value === undefined || f.value === null) return [];
  return Array.isArray(f.value) ? f.value : [f.value];
}

/**
 * A regex filter's pattern, compiled by re2js (RE2's syntax and linear-time
 * matching, as ClickHouse's match() that PostHog's regex operator uses).
 */
function regexOf(pattern: string, attr: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw QueryError.badField(attr, `${attr}: invalid regular expression (RE2 syntax): ${(error as Error).message}`);
  }
}

async function conditionOf(f: PropertyFilterInput, attr: string, needs: Needs, regex: RegexResolver): Promise<SQL> {
  const source = sourceOf(f.type, `${attr}.type`, f.group_type_index, `${attr}.group_type_index`);
  source.require(needs);
  const values = valuesOf(f);
  const first = (): PropertyValue => {
    const v = values[0];
    if (v === undefined)
      throw QueryError.badField(`${attr}.value`, `${attr}.value: operator "${f.operator}" needs a value.`);
    return v;
  };
  const oneOf = (texts: string[]): SQL =>
    texts.length === 1
      ? sql`${TEXT_FORM} = ${texts[0]}`
      : sql`${TEXT_FORM} IN (SELECT value FROM json_each(${JSON.stringify(texts)}))`;
  const number = (): number => {
    const n = Number(first());
    if (typeof first() === 'boolean' || !Number.isFinite(n) || String(first()).trim() === '') {
      throw QueryError.badField(`${attr}.value`, `${attr}.value: operator "${f.operator}" needs a number.`);
    }
    return n;
  };
  let condition: SQL;
  switch (f.operator) {
    case 'exact':
      if (values.length === 0)
        throw QueryError.badField(`${attr}.value`, `${attr}.value: operator "exact" needs a value.`);
      condition = oneOf(values.map(textOf));
      break;
    case 'is_not':
      if (values.length === 0)
        throw QueryError.badField(`${attr}.value`, `${attr}.value: operator "is_not" needs a value.`);
      condition = sql`(${TEXT_FORM} IS NULL OR NOT (${oneOf(values.map(textOf))}))`;
      break;
    case 'icontains':
      condition = sql`instr(lower(${TEXT_FORM}), lower(${textOf(first())})) > 0`;
      break;
    case 'not_icontains':
      condition = sql`(${TEXT_FORM} IS NULL OR instr(lower(${TEXT_FORM}), lower(${textOf(first())})) = 0)`;
      break;
    case 'regex':
    case 'not_regex': {
      const matching = await regex(source, f.key, regexOf(textOf(first()), `${attr}.value`), attr);
      const inMatching = sql`${TEXT_FORM} IN (SELECT value FROM json_each(${JSON.stringify(matching)}))`;
      condition = f.operator === 'regex' ? inMatching : sql`(${TEXT_FORM} IS NULL OR NOT (${inMatching}))`;
      break;
    }
    case 'gt':
      condition = sql`(${NUMERIC_FORM}) > ${number()}`;
      break;
    case 'gte':
      condition = sql`(${NUMERIC_FORM}) >= ${number()}`;
      break;
    case 'lt':
      condition = sql`(${NUMERIC_FORM}) < ${number()}`;
      break;
    case 'lte':
      condition = sql`(${NUMERIC_FORM}) <= ${number()}`;
      break;
    case 'is_set':
      condition = sql`(x.t IS NOT NULL AND x.t <> 'null')`;
      break;
    case 'is_not_set':
      condition = sql`(x.t IS NULL OR x.t = 'null')`;
      break;
  }
  return sql`EXISTS (SELECT 1 FROM ${propertyRow(source.column, f.key)} AS x WHERE ${condition})`;
}

type PropertiesInput = PropertyFilterInput[] | PropertyGroupInput | null | undefined;

const isGroup = (v: PropertyFilterInput | PropertyGroupInput): v is PropertyGroupInput => 'values' in v;

/** The filters as one SQL condition (TRUE when there are none). A plain list is AND; a group says AND or OR. */
export async function propertiesSql(
  input: PropertiesInput,
  attr: string,
  needs: Needs,
  regex: RegexResolver,
): Promise<SQL> {
  if (!input) return sql`1`;
  if (Array.isArray(input)) {
    const parts = await Promise.all(input.map((f, i) => conditionOf(f, `${attr}.${i}`, needs, regex)));
    return parts.length === 0 ? sql`1` : sql`(${sql.join(parts, sql` AND `)})`;
  }
  const parts = await Promise.all(
    input.values.map((v, i) =>
      isGroup(v)
        ? propertiesSql(v, `${attr}.values.${i}`, needs, regex)
        : conditionOf(v, `${attr}.values.${i}`, needs, regex),
    ),
  );
  if (parts.length === 0) return sql`1`;
  return sql`(${sql.join(parts, input.type === 'OR' ? sql` OR ` : sql` AND `)})`;
}
