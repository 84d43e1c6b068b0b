/**
 * The property filters of the persons list, as the REST API (`GET /persons`'s
 * `properties`) and the web app's persons page take them: a subset of the query
 * endpoint's operators (src/query/schema.ts), compiled by src/db/person-reads.ts.
 */
import { z } from '@hono/zod-openapi';

/** The scalar a property filter compares with (every property filter, the query endpoint's too). */
export type PropertyValue = string | number | boolean;

export const PERSON_PROPERTY_OPERATORS = ['exact', 'is_not', 'icontains', 'is_set', 'is_not_set', 'gt', 'lt'] as const;
export type PersonPropertyOperator = (typeof PERSON_PROPERTY_OPERATORS)[number];

export interface PersonPropertyFilter {
  key: string;
  operator: PersonPropertyOperator;
  value?: PropertyValue | PropertyValue[];
}

const Value = z.union([z.string(), z.number(), z.boolean()]);
const NEEDS_NO_VALUE = new Set(['is_set', 'is_not_set']);

export const PersonPropertyFilterSchema = z
  .object({
    key: z
      .string()
      .min(1)
      .max(400)
      .refine((k) => !/["\\]/.test(k), 'property keys containing " or \\ cannot be filtered on'),
    value: z.union([Value, z.array(Value).min(1).max(100)]).optional(),
    operator: z.enum(PERSON_PROPERTY_OPERATORS).default('exact'),
    type: z.literal('person').optional(),
  })
  .superRefine((f, ctx) => {
    if (!NEEDS_NO_VALUE.has(f.operator) && f.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${f.operator} needs a value` });
    }
    if (f.operator === 'icontains' && Array.isArray(f.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'icontains takes one value' });
    }
    if ((f.operator === 'gt' || f.operator === 'lt') && f.value !== undefined) {
      const numeric =
        (typeof f.value === 'number' || typeof f.value === 'string') &&
        f.value !== '' &&
        Number.isFinite(Number(f.value));
      if (!numeric) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${f.operator} needs a number` });
    }
  })
  .openapi('PropertyFilter');
