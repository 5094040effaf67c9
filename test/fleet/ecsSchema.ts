// Checks an event against the ECS 9.4.0 field table that Elastic publishes as @elastic/ecs: every key
// exists (or is under minewatch.), every value has its field's type, array fields are arrays and only
// they are, and event.kind/category/type take allowed values that fit together.
import { isIP } from 'node:net';
import { EcsFlat, EcsVersion } from '@elastic/ecs';

interface FieldDef {
  type: string;
  normalize: string[];
  allowed_values?: { name: string; expected_event_types?: string[] }[];
  expected_values?: string[];
}

const FIELDS = EcsFlat as unknown as Record<string, FieldDef>;

export { EcsVersion };

/** Flatten nested objects to dotted keys; arrays are values (ECS arrays hold scalars here). */
export function flatten(ev: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(ev)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeError(type: string, v: unknown): string | null {
  switch (type) {
    case 'keyword': case 'constant_keyword': case 'wildcard': case 'match_only_text': case 'text':
      return typeof v === 'string' ? null : 'a string'; // "" too: an empty argument is an argument
    case 'long': case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? null : 'an integer';
    case 'float': case 'double': case 'scaled_float':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'boolean':
      return typeof v === 'boolean' ? null : 'a boolean';
    case 'date':
      return typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)) ? null : 'an ISO-8601 date';
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0 ? null : 'an IP address';
    default:
      return `a ${type}, which this check does not know`;
  }
}

/** Problems with one event; empty when it conforms. */
export function ecsProblems(ev: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const flat = flatten(ev);
  for (const [key, value] of Object.entries(flat)) {
    if (key.startsWith('minewatch.')) continue;
    const def = FIELDS[key];
    if (!def) { problems.push(`${key}: not an ECS ${EcsVersion} field`); continue; }
    const isArrayField = def.normalize.includes('array');
    if (Array.isArray(value) !== isArrayField) {
      problems.push(`${key}: ${isArrayField ? 'must be an array' : 'must not be an array'}`);
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) problems.push(`${key}: empty array`);
    for (const v of values) {
      const t = typeError(def.type, v);
      if (t) problems.push(`${key}: ${JSON.stringify(v)} is not ${t} (ECS type ${def.type})`);
      if (def.allowed_values && !def.allowed_values.some((a) => a.name === v)) problems.push(`${key}: ${JSON.stringify(v)} is not an allowed value`);
      if (def.expected_values && !def.expected_values.includes(v as string)) problems.push(`${key}: ${JSON.stringify(v)} is not an expected value`);
    }
  }
  // event.type must be expected by every event.category given.
  const cats = (flat['event.category'] as string[] | undefined) ?? [];
  const types = (flat['event.type'] as string[] | undefined) ?? [];
  for (const c of cats) {
    const expected = FIELDS['event.category'].allowed_values?.find((a) => a.name === c)?.expected_event_types;
    for (const t of types) if (expected && !expected.includes(t)) problems.push(`event.type ${t} is not expected with event.category ${c}`);
  }
  return problems;
}
