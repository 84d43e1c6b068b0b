/** The insights page's form: its fields depend on the kind (trends, funnels, retention). */
import type { Child } from 'hono/jsx';
import { appUrl, type WebContext } from '../../context';
import { INTERVALS } from '../../../query/schema';
import type { ExampleValue } from '../../property-values';
import { propertyNameKind, type Taxonomy } from '../../taxonomy';
import { NameInput, PropertyFilterFields } from '../pickers';
import {
  DATE_FROMS,
  FORM_WINDOW_UNITS,
  MATHS,
  MAX_SERIES,
  RETENTION_PERIODS,
  type InsightForm,
} from '../../insight-query';

function Select({
  name,
  value,
  options,
  label,
  kindOf,
}: {
  name: string;
  value: string;
  options: readonly (readonly [string, string])[];
  label: string;
  /** The id of the property picker whose kind (event or person property) this select sets. */
  kindOf?: string;
}) {
  return (
    <select name={name} aria-label={label} data-kind-of={kindOf}>
      {options.map(([v, text]) => (
        <option value={v} selected={v === value}>
          {text}
        </option>
      ))}
    </select>
  );
}

const same = (values: readonly string[]) => values.map((v) => [v, v] as const);

export function InsightFormView({
  c,
  path,
  form,
  saved,
  taxonomy,
  examples,
}: {
  c: WebContext;
  path: string;
  form: InsightForm;
  /** The saved insight being edited: kept when the form is sent again. */
  saved?: number;
  /** What the pickers offer. */
  taxonomy: Taxonomy;
  /** Example values of the property filter's key. */
  examples: ExampleValue[];
}) {
  const rows = Math.min(MAX_SERIES, form.events.filter((e) => e !== '').length + 1);
  const events = Array.from(
    { length: Math.max(rows, form.kind === 'funnels' ? 2 : 1) },
    (_, i) => form.events[i] ?? '',
  );
  const dateRange = (
    <>
      <label>
        Date range
        <Select name="date_from" value={form.dateFrom} options={DATE_FROMS} label="Date range" />
      </label>
      <label>
        Until (optional)
        <input type="date" name="date_to" value={form.dateTo} />
      </label>
    </>
  );
  const breakdown = (
    <label>
      Breakdown by property
      <span class="row">
        <Select
          name="breakdown_type"
          value={form.breakdownType}
          options={[
            ['event', 'event'],
            ['person', 'person'],
          ]}
          label="Breakdown property type"
          kindOf="breakdown-key"
        />
        <NameInput
          kind={propertyNameKind(form.breakdownType)}
          name="breakdown"
          value={form.breakdown}
          placeholder="$browser"
          label="Breakdown property"
          id="breakdown-key"
        />
      </span>
    </label>
  );
  let fields: Child;
  if (form.kind === 'trends') {
    fields = (
      <>
        <fieldset>
          <legend>Series</legend>
          {events.map((e, i) => (
            <div class="row">
              <NameInput
                kind="event"
                name="event"
                value={e}
                placeholder={i === 0 ? 'event, empty = all events' : 'another event'}
                label={`Series ${i + 1} event`}
              />
              <Select name="math" value={form.maths[i] ?? 'total'} options={MATHS} label={`Series ${i + 1} math`} />
            </div>
          ))}
        </fieldset>
        <div class="row">
          <label>
            Interval
            <Select name="interval" value={form.interval} options={same(INTERVALS)} label="Interval" />
          </label>
          {dateRange}
          {breakdown}
          <label>
            Chart
            <Select
              name="display"
              value={form.display}
              options={[
                ['line', 'Line'],
                ['bar', 'Bar'],
              ]}
              label="Chart type"
            />
          </label>
        </div>
      </>
    );
  } else if (form.kind === 'funnels') {
    fields = (
      <>
        <fieldset>
          <legend>Steps, in order</legend>
          {events.map((e, i) => (
            <div class="row">
              <NameInput
                kind="event"
                name="event"
                value={e}
                placeholder={`step ${i + 1} event`}
                label={`Step ${i + 1} event`}
              />
            </div>
          ))}
        </fieldset>
        <div class="row">
          {dateRange}
          <label>
            Conversion window
            <span class="row">
              <input
                name="window"
                type="number"
                min={1}
                value={String(form.funnelWindow)}
                aria-label="Conversion window"
              />
              <Select
                name="window_unit"
                value={form.funnelWindowUnit}
                options={same(FORM_WINDOW_UNITS)}
                label="Conversion window unit"
              />
            </span>
          </label>
          {breakdown}
        </div>
      </>
    );
  } else {
    fields = (
      <div class="row">
        <label>
          Cohort: did
          <NameInput kind="event" name="target" value={form.target} label="Cohort: did" />
        </label>
        <label>
          Came back to
          <NameInput kind="event" name="returning" value={form.returning} label="Came back to" />
        </label>
        <label>
          Period
          <Select name="period" value={form.period} options={same(RETENTION_PERIODS)} label="Period" />
        </label>
        <label>
          Periods
          <input name="intervals" type="number" min={2} max={30} value={String(form.totalIntervals)} />
        </label>
        <label>
          Counting
          <Select
            name="retention_type"
            value={form.retentionType}
            options={[
              ['retention_first_time', 'First time'],
              ['retention_recurring', 'Recurring'],
            ]}
            label="Retention type"
          />
        </label>
        <label>
          Until (optional)
          <input type="date" name="date_to" value={form.dateTo} />
        </label>
      </div>
    );
  }
  return (
    <form method="get" action={appUrl(c, path)} class="insight-form">
      <input type="hidden" name="kind" value={form.kind} />
      {saved !== undefined && <input type="hidden" name="saved" value={String(saved)} />}
      {fields}
      <PropertyFilterFields c={c} fields={form.property.fields} taxonomy={taxonomy} examples={examples} />
      <div>
        <button type="submit">Show</button>
      </div>
    </form>
  );
}
