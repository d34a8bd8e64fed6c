// The evolution policy of published schemas (docs/events.md#evolution) as a check: a schema of
// version 1 may only gain optional fields, values and room. `schemaBreaks(released, current)` walks
// both documents in step and names, by JSON pointer into the released document, every change that
// could refuse a message the released schema accepts, or that a reader of the released schema could
// not read.

type Schema = Record<string, unknown>;

/** Keywords whose value may only grow (a smaller value refuses what was accepted). */
const UPPER_BOUNDS = ['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum'] as const;
/** Keywords whose value may only shrink. */
const LOWER_BOUNDS = ['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum'] as const;
/** Keywords that must stay as they are (a change may refuse accepted values, or change their meaning). */
const FIXED = ['const', 'pattern', 'format', '$ref'] as const;
/** Keywords holding one subschema, compared in step. */
const SUBSCHEMA = ['items', 'additionalProperties', 'if', 'then', 'else', 'not', 'contains', 'propertyNames'] as const;
/** Keywords holding a list of subschemas, compared by position (later entries may be appended). */
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords holding named subschemas. */
const NAMED = ['properties', '$defs', 'patternProperties'] as const;

/** One incompatible change: where (a pointer into the released document) and what. */
export interface SchemaBreak {
  pointer: string;
  message: string;
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const token = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const types = (s: Schema): string[] | undefined => (s.type === undefined ? undefined : ([] as string[]).concat(s.type as string | string[]));

/** Every change from `released` to `current` that breaks the evolution policy; empty when compatible. */
export function schemaBreaks(released: unknown, current: unknown): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  compare(released, current, '', out);
  return out;
}

function compare(released: unknown, current: unknown, at: string, out: SchemaBreak[]): void {
  const breaks = (message: string, pointer = at): void => {
    out.push({ pointer: pointer || '/', message });
  };
  if (released === false) return; // nothing was accepted: anything is wider
  if (current === true || current === undefined) return; // everything is accepted now
  if (released === true || current === false) return breaks(current === false ? 'accepts nothing any more' : 'was unconstrained and is now constrained');
  if (!isSchema(released) || !isSchema(current)) return breaks('is no longer a schema');

  const [rt, ct] = [types(released), types(current)];
  if (ct && (!rt || rt.some((t) => !ct.includes(t) && !(t === 'integer' && ct.includes('number'))))) {
    breaks(`type changed from ${rt ? rt.join('|') : 'any'} to ${ct.join('|')}`, `${at}/type`);
  }
  const newlyRequired = ((current.required as string[] | undefined) ?? []).filter((name) => !((released.required as string[] | undefined) ?? []).includes(name));
  for (const name of newlyRequired) breaks(`"${name}" became required`, `${at}/required`);
  if (Array.isArray(released.enum) || Array.isArray(current.enum)) {
    if (!Array.isArray(released.enum)) breaks('gained an enum', `${at}/enum`);
    else if (Array.isArray(current.enum)) {
      for (const v of released.enum) if (!current.enum.some((c) => same(c, v))) breaks(`lost the value ${JSON.stringify(v)}`, `${at}/enum`);
    }
  }
  for (const k of UPPER_BOUNDS) {
    const [r, c] = [released[k] as number | undefined, current[k] as number | undefined];
    if (c !== undefined && (r === undefined || c < r)) breaks(`narrowed from ${r ?? 'none'} to ${c}`, `${at}/${k}`);
  }
  for (const k of LOWER_BOUNDS) {
    const [r, c] = [released[k] as number | undefined, current[k] as number | undefined];
    if (c !== undefined && (r === undefined || c > r)) breaks(`narrowed from ${r ?? 'none'} to ${c}`, `${at}/${k}`);
  }
  for (const k of FIXED) {
    if (current[k] !== undefined && !same(released[k], current[k])) breaks(`changed from ${JSON.stringify(released[k]) ?? 'none'} to ${JSON.stringify(current[k])}`, `${at}/${k}`);
  }
  for (const k of SUBSCHEMA) {
    if (released[k] === undefined && current[k] !== undefined && k !== 'if' && k !== 'then' && k !== 'else') breaks('was added', `${at}/${k}`);
    else if (released[k] !== undefined) compare(released[k], current[k], `${at}/${k}`, out);
  }
  for (const k of SUBSCHEMA_LISTS) {
    const [r, c] = [(released[k] as unknown[] | undefined) ?? [], (current[k] as unknown[] | undefined) ?? []];
    r.forEach((sub, i) => (i < c.length ? compare(sub, c[i], `${at}/${k}/${i}`, out) : breaks('was removed', `${at}/${k}/${i}`)));
    // An appended anyOf/oneOf branch widens; an appended allOf entry may only be a rule for new types.
    if (k === 'allOf') c.slice(r.length).forEach((sub, i) => appendedRuleBreak(released, sub, `${at}/${k}/${r.length + i}`, breaks));
  }
  for (const k of NAMED) {
    const [r, c] = [(released[k] as Schema | undefined) ?? {}, (current[k] as Schema | undefined) ?? {}];
    for (const [name, sub] of Object.entries(r)) {
      const pointer = `${at}/${k}/${token(name)}`;
      if (name in c) compare(sub, c[name], pointer, out);
      else breaks('was removed', pointer);
    }
    // A property added to an open object is allowed (v1 gains optional fields); a required one is
    // reported above.
  }
}

/**
 * A rule appended to `allOf` may only apply to values of `type` the released schema did not know
 * (`if: {properties: {type: {const | enum}}}`): such a rule adds a new type's requirements; any other
 * new rule may refuse a message of a released type.
 */
function appendedRuleBreak(released: Schema, rule: unknown, pointer: string, breaks: (message: string, pointer: string) => void): void {
  const condition = isSchema(rule) && isSchema(rule.if) && isSchema(rule.if.properties) ? rule.if.properties.type : undefined;
  const values = isSchema(condition) ? (condition.const !== undefined ? [condition.const] : (condition.enum as unknown[] | undefined)) : undefined;
  if (!values) return breaks('was added (a rule that does not name the new types it applies to)', pointer);
  const releasedTypes = isSchema(released.properties) && isSchema(released.properties.type) ? ((released.properties.type.enum as unknown[] | undefined) ?? []) : [];
  const known = values.filter((v) => releasedTypes.some((t) => same(t, v)));
  if (known.length) breaks(`adds a rule for the released type(s) ${known.map((v) => JSON.stringify(v)).join(', ')}`, pointer);
}
