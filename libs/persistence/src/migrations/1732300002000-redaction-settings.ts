import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';

/**
 * A tenant's redaction settings (docs/privacy.md#free-form-pii), set through PUT /v1/redaction:
 * key patterns (they were `tenants.redaction_patterns`, copied here and read from here on), value
 * patterns (RE2 regular expressions), what happens to e-mail addresses and phone numbers in free
 * text (`off`, `redact`, `encrypt`) and the region of national phone numbers. Tenant-scoped under
 * row-level security for audit-api; ingest reads it (SELECT) through its service policy.
 */
export class RedactionSettings1732300002000 implements MigrationInterface {
  name = 'RedactionSettings1732300002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE redaction_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        key_patterns text[] NOT NULL DEFAULT '{}',
        value_patterns text[] NOT NULL DEFAULT '{}',
        free_text_pii text NOT NULL DEFAULT 'off' CHECK (free_text_pii IN ('off', 'redact', 'encrypt')),
        phone_region text CHECK (phone_region ~ '^[A-Z]{2}$'),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO redaction_settings (tenant_id, key_patterns) SELECT id, redaction_patterns FROM tenants WHERE cardinality(redaction_patterns) > 0`);
    await q.query(`SELECT ledger_enable_tenant_rls('redaction_settings'::regclass, 'SELECT, INSERT, UPDATE')`);
    await q.query(`SELECT ledger_grant_service('redaction_settings'::regclass, $1, 'SELECT')`, [RUNTIME_ROLES.ingest]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS redaction_settings`);
  }
}
