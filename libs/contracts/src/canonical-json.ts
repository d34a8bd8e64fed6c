/**
 * Canonical JSON in the style of RFC 8785 (JSON Canonicalization Scheme), the form that is hashed
 * and signed:
 * - object properties sorted by their names as UTF-16 code units, no whitespace;
 * - strings and numbers serialized as `JSON.stringify` does (which is what JCS specifies: ECMAScript
 *   number-to-string, `-0` → `0`, minimal string escaping);
 * - properties whose value is `undefined`, a function or a symbol are dropped, and such values in
 *   arrays become `null` (as `JSON.stringify` does); arrays keep their order;
 * - `toJSON()` is honoured (a `Date` becomes its ISO string).
 *
 * Throws a `TypeError` for what has no JSON form: non-finite numbers, bigints, circular structures
 * and a top-level `undefined`.
 */
export function canonicalJson(value: unknown): string {
  const out = serialize(value, []);
  if (out === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return out;
}

/**
 * One pass that appends to a string (no intermediate arrays of members); `ancestors` is the path
 * from the root, for the circularity check (documents are shallow: a linear search beats a set).
 */
function serialize(input: unknown, ancestors: object[]): string | undefined {
  const value = hasToJson(input) ? input.toJSON() : input;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('canonicalJson: bigint has no JSON representation (use a decimal string)');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (ancestors.includes(obj)) throw new TypeError('canonicalJson: circular structure');
  ancestors.push(obj);
  try {
    if (Array.isArray(obj)) {
      let out = '[';
      for (let i = 0; i < obj.length; i++) out += (i ? ',' : '') + (serialize(obj[i], ancestors) ?? 'null');
      return out + ']';
    }
    const record = obj as Record<string, unknown>;
    let out = '{';
    // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as JCS requires.
    for (const key of Object.keys(record).sort()) {
      const member = serialize(record[key], ancestors);
      if (member !== undefined) out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + member;
    }
    return out + '}';
  } finally {
    ancestors.pop();
  }
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
