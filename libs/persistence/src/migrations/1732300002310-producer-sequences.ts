import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * Loss accounting (docs/accountability.md): the projector follows each producer's sequence numbers
 * (`event.producer.seq`, stamped by the SDK from 1 without holes) per tenant.
 * - `producer_sequences`: per tenant × producer, the highest sequence number stored and the number of
 *   distinct stamped events stored.
 * - `producer_gaps`: ranges of sequence numbers skipped by a producer. A gap opens when a number
 *   above `max_seq + 1` arrives, shrinks or splits as late numbers arrive and closes (`closed_at`)
 *   when its last number arrives. `escalated_at` marks a gap the escalation worker has handled
 *   (`events_missing`); a gap split from a handled one keeps the mark.
 * Tenants read both under row-level security; the projector writes them; the worker marks gaps
 * handled; audit-api reads them (metrics, operator views).
 */
export class ProducerSequences1732300002310 implements MigrationInterface {
  name = 'ProducerSequences1732300002310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE producer_sequences (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        producer_id text NOT NULL,
        max_seq bigint NOT NULL CHECK (max_seq >= 1),
        events bigint NOT NULL CHECK (events >= 0),
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, producer_id))`);
    await q.query(`
      CREATE TABLE producer_gaps (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        producer_id text NOT NULL,
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        escalated_at timestamptz,
        CHECK (1 <= first_seq AND first_seq <= last_seq))`);
    await q.query(`CREATE INDEX producer_gaps_open_idx ON producer_gaps (tenant_id, producer_id, first_seq) WHERE closed_at IS NULL`);
    await q.query(`CREATE INDEX producer_gaps_unhandled_idx ON producer_gaps (opened_at) WHERE closed_at IS NULL AND escalated_at IS NULL`);
    await q.query(`CREATE INDEX producer_gaps_listing_idx ON producer_gaps (tenant_id, opened_at DESC, id DESC)`);
    for (const table of ['producer_sequences', 'producer_gaps']) {
      await q.query(`SELECT ledger_enable_tenant_rls($1::regclass, 'SELECT')`, [table]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT, INSERT, UPDATE')`, [table, RUNTIME_ROLES.projector]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT')`, [table, RUNTIME_ROLES.api]);
    }
    await q.query(`SELECT ledger_grant_service('producer_gaps'::regclass, $1, 'SELECT, UPDATE')`, [RUNTIME_ROLES.worker]);
    await q.query(`GRANT USAGE ON SEQUENCE producer_gaps_id_seq TO ${RUNTIME_ROLES.projector}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS producer_gaps`);
    await q.query(`DROP TABLE IF EXISTS producer_sequences`);
  }
}
