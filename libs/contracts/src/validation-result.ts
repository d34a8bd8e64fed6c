/**
 * One invalid field.
 *
 * `code` is one of: `required`, `type`, `enum`, `const`, `format`, `pattern`, `minLength`,
 * `maxLength`, `minimum`, `maximum`, `minItems`, `maxItems`, `additionalProperties` (an unknown
 * property), `forbidden` (a known property the sender must not set, e.g. `tenantId` on ingest),
 * `tooLarge` (a size limit measured in bytes), `duplicate`.
 */
export interface FieldError {
  /** JSON pointer (RFC 6901) to the field itself, e.g. `/events/3/tool/riskLevel`; `''` is the whole value. */
  pointer: string;
  code: string;
  /** Human-readable, names the field; never echoes the value. */
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Re-roots errors under `prefix` (a JSON pointer), e.g. the errors of the fourth event of a batch
 * under `/events/3`. Returns new objects.
 */
export function prefixPointer(errors: readonly FieldError[], prefix: string): FieldError[] {
  return errors.map((e) => ({ ...e, pointer: `${prefix}${e.pointer}` }));
}

/** Escapes one reference token of a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}
