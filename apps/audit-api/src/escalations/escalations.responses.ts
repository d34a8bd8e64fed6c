import { z } from 'zod';
import { DEFAULT_SETTINGS } from '@agent-ledger/escalation-rules';
import { escalationSchema, instantOut, pageOf } from '../queries/records.responses';

// The answers of the escalation endpoints (GET/POST /v1/escalations…, GET/PUT /v1/escalation-rules).

export { escalationSchema };

export const escalationListSchema = pageOf(escalationSchema);

export const escalationDetailSchema = escalationSchema
  .extend({
    history: z.array(
      z
        .object({ eventId: z.string().uuid(), type: z.string(), occurredAt: instantOut.nullable(), event: z.record(z.unknown()).describe('The escalation event as published (docs/escalations.md)') })
        .strict(),
    ),
  })
  .strict();

/** What opening, acknowledging or resolving answers: the change is published; the projection follows. */
export const escalationChangeSchema = z
  .object({ escalationId: z.string().uuid(), eventId: z.string().uuid(), status: z.enum(['open', 'acknowledged', 'resolved']) })
  .strict();

type Json = Record<string, unknown>;

/** The JSON schema of a settings value, by the type of its default: every field of the resolved settings is present. */
function schemaOfDefault(value: unknown): Json {
  if (Array.isArray(value)) return { type: 'array', items: { type: 'string' } };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return { type: 'number', minimum: 0 };
  if (typeof value === 'string') return { type: 'string' };
  const entries = Object.entries(value as Json);
  return { type: 'object', required: entries.map(([k]) => k), additionalProperties: false, properties: Object.fromEntries(entries.map(([k, v]) => [k, schemaOfDefault(v)])) };
}

/** GET and PUT /v1/escalation-rules: the resolved settings (every rule, defaults filled in) and the tenant's stored overrides. */
export const escalationRulesSchema: Json = {
  type: 'object',
  required: ['settings', 'overrides'],
  additionalProperties: false,
  properties: {
    settings: schemaOfDefault(DEFAULT_SETTINGS),
    overrides: { type: 'object', description: 'What the tenant set (PUT /v1/escalation-rules); unset fields take the defaults' },
  },
};
