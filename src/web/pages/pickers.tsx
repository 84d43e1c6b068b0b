/**
 * Event name and property pickers: native `<input list>` fields over `<datalist>`s of the project's definitions (each
 * property with its type), the one property filter's fields, and the notes that flag a name the project never
 * received. picker.js keeps the lists in step with the type selects, fetches example values and flags typos as typed.
 */
import type { Child } from 'hono/jsx';
import { appUrl, type WebContext } from '../context';
import { PROPERTY_OPERATOR_WORDS, PROPERTY_KINDS, type FilterFields } from '../property-filter';
import type { ExampleValue } from '../property-values';
import { type NameCheck, type NameKind, type PropertyKind, propertyNameKind, type Taxonomy } from '../taxonomy';

/** The datalist of a kind of name. */
const listId = (kind: NameKind) => `picker-${kind}`;

const NOTE_SUBJECT: Record<NameKind, string> = {
  event: 'No events named',
  event_property: 'No event property named',
  person_property: 'No person property named',
};

const unknownNameText = (check: NameCheck) => `${NOTE_SUBJECT[check.kind]} “${check.name}” in this project.`;

/** The pickers' lists; `data-complete` when they hold every name (picker.js then flags any other name as typed). */
export function Datalists({ taxonomy }: { taxonomy: Taxonomy }) {
  const properties = (kind: PropertyKind) => {
    const listed = taxonomy.properties[kind];
    return (
      <datalist id={listId(propertyNameKind(kind))} data-complete={listed.complete ? '' : undefined}>
        {listed.items.map((p) => (
          <option value={p.name} label={p.type ?? 'type not known yet'} />
        ))}
      </datalist>
    );
  };
  return (
    <>
      <datalist id={listId('event')} data-complete={taxonomy.events.complete ? '' : undefined}>
        {taxonomy.events.items.map((name) => (
          <option value={name} />
        ))}
      </datalist>
      {PROPERTY_KINDS.map(properties)}
    </>
  );
}

/** A text field picking a name of `kind` (free text stays possible: a name may arrive later). */
export function NameInput({
  kind,
  name,
  value,
  label,
  placeholder,
  id,
}: {
  kind: NameKind;
  name: string;
  value: string;
  label: string;
  placeholder?: string;
  id?: string;
}) {
  return (
    <input
      name={name}
      value={value}
      list={listId(kind)}
      data-kind={kind}
      autocomplete="off"
      aria-label={label}
      placeholder={placeholder}
      id={id}
    />
  );
}

/** The server's verdict on the names the page was given: one note per unknown name. */
export function UnknownNames({ unknown }: { unknown: NameCheck[] }) {
  if (unknown.length === 0) return null;
  return (
    <ul class="unknown-names" role="status">
      {unknown.map((u) => (
        <li>{unknownNameText(u)}</li>
      ))}
    </ul>
  );
}

/** "String · e.g. Chrome, Safari": what is known of the filter's property. */
function propertyHint(type: string | null | undefined, examples: ExampleValue[]): string {
  const parts = [type ?? ''];
  if (examples.length > 0) parts.push(`e.g. ${examples.map((e) => e.value).join(', ')}`);
  return parts.filter(Boolean).join(' · ');
}

/** The property filter's fields: type, key (picked), operator, value (with the key's example values). */
export function PropertyFilterFields({
  c,
  fields,
  taxonomy,
  examples,
  legend = 'Property filter',
}: {
  c: WebContext;
  fields: FilterFields;
  taxonomy: Taxonomy;
  examples: ExampleValue[];
  legend?: Child;
}) {
  const project = c.get('project');
  const kind = propertyNameKind(fields.type);
  const type = taxonomy.properties[fields.type].items.find((p) => p.name === fields.key)?.type;
  return (
    <fieldset class="prop-filter">
      <legend>{legend}</legend>
      <select name="prop_type" aria-label="Property type" data-kind-of="filter-key">
        {PROPERTY_KINDS.map((k) => (
          <option value={k} selected={fields.type === k}>
            {`${k} property`}
          </option>
        ))}
      </select>
      <input
        id="filter-key"
        name="key"
        value={fields.key}
        list={listId(kind)}
        data-kind={kind}
        data-values-url={appUrl(c, `/projects/${project.id}/property-values.json`)}
        autocomplete="off"
        aria-label="Property key"
        placeholder="key, e.g. $browser"
      />
      <select name="op" aria-label="Operator">
        {PROPERTY_OPERATOR_WORDS.map(([op, words]) => (
          <option value={op} selected={fields.operator === op}>
            {words}
          </option>
        ))}
      </select>
      <input
        name="value"
        value={fields.value}
        list="picker-values"
        autocomplete="off"
        aria-label="Property value"
        placeholder="value"
      />
      <datalist id="picker-values">
        {examples.map((e) => (
          <option value={e.value} />
        ))}
      </datalist>
      <p class="prop-hint muted" id="filter-key-hint" aria-live="polite">
        {fields.key ? propertyHint(type, examples) : ''}
      </p>
    </fieldset>
  );
}
