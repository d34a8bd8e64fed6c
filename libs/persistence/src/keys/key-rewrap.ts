import type { DataSource } from 'typeorm';
import { webhookSecretKeyId, type KeyWrapper, type PiiCipher } from '@agent-ledger/integrity';

/**
 * `keys rewrap` (docs/keys.md): every subject key and webhook secret re-wrapped under the current
 * master key with the per-purpose derivation (wrap format 2), in batches, while the services run.
 * Each row is replaced only if it still holds the wrap that was read (compare-and-set), so a
 * concurrent erasure or secret rotation wins and the row is counted `changedMeanwhile`. Rows already
 * current are never selected, so a second run finds nothing and an interrupted run resumes.
 */
export interface RewrapCounts {
  rewrapped: number;
  /** Rows already under the current master key and format when the run started. */
  alreadyCurrent: number;
  /** Rows that changed between read and write (erased, rotated): run again to be sure. */
  changedMeanwhile: number;
  /** Rows no key of the keyring opens (their master key is not configured), by key name. */
  failed: string[];
}

const emptyCounts = (): RewrapCounts => ({ rewrapped: 0, alreadyCurrent: 0, changedMeanwhile: 0, failed: [] });

/** The 9-byte header (format 2 ‖ current master key id) every current wrap starts with. */
const currentHeader = (wrapper: KeyWrapper): Buffer => Buffer.concat([Buffer.from([2]), Buffer.from(wrapper.masterKeyId, 'hex')]);

const NEEDS = (column: string) => `(${column} IS NOT NULL AND substring(${column} from 1 for 9) <> $1)`;

export async function rewrapSubjectKeys(ds: DataSource, cipher: PiiCipher, batchSize = 500): Promise<RewrapCounts> {
  const header = currentHeader(cipher);
  const counts = emptyCounts();
  const [{ current }] = await ds.query(`SELECT count(*)::int AS current FROM subject_keys WHERE wrapped_key IS NOT NULL AND NOT ${NEEDS('wrapped_key')}`, [header]);
  counts.alreadyCurrent = current;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: { tenantId: string; keyId: string; wrapped: Buffer }[] = await ds.query(
      `SELECT tenant_id AS "tenantId", key_id AS "keyId", wrapped_key AS wrapped FROM subject_keys
        WHERE ${NEEDS('wrapped_key')} AND key_id > $2 ORDER BY key_id LIMIT $3`,
      [header, after, batchSize],
    );
    if (!rows.length) return counts;
    after = rows[rows.length - 1]!.keyId;
    const ids: string[] = [];
    const olds: Buffer[] = [];
    const news: Buffer[] = [];
    for (const row of rows) {
      try {
        news.push(cipher.rewrap(row.wrapped, row.tenantId, row.keyId)!);
        ids.push(row.keyId);
        olds.push(row.wrapped);
      } catch {
        counts.failed.push(row.keyId);
      }
    }
    if (!ids.length) continue;
    const updated: unknown[] = await ds.query(
      `UPDATE subject_keys AS s SET wrapped_key = v.new_wrap
         FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS v(key_id, old_wrap, new_wrap)
        WHERE s.key_id = v.key_id AND s.wrapped_key = v.old_wrap
        RETURNING s.key_id`,
      [ids, olds, news],
    );
    counts.rewrapped += updated.length;
    counts.changedMeanwhile += ids.length - updated.length;
  }
}

interface EndpointWraps {
  id: string;
  tenantId: string;
  version: number;
  wrapped: Buffer;
  previousVersion: number | null;
  previousWrapped: Buffer | null;
}

export async function rewrapWebhookSecrets(ds: DataSource, wrapper: KeyWrapper, batchSize = 200): Promise<RewrapCounts> {
  const header = currentHeader(wrapper);
  const counts = emptyCounts();
  const needs = `(${NEEDS('secret_wrapped')} OR ${NEEDS('previous_secret_wrapped')})`;
  const [{ current }] = await ds.query(`SELECT count(*)::int AS current FROM webhook_endpoints WHERE NOT ${needs}`, [header]);
  counts.alreadyCurrent = current;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: EndpointWraps[] = await ds.query(
      `SELECT id, tenant_id AS "tenantId", secret_version AS version, secret_wrapped AS wrapped,
              previous_secret_version AS "previousVersion", previous_secret_wrapped AS "previousWrapped"
         FROM webhook_endpoints WHERE ${needs} AND id > $2 ORDER BY id LIMIT $3`,
      [header, after, batchSize],
    );
    if (!rows.length) return counts;
    after = rows[rows.length - 1]!.id;
    for (const row of rows) {
      let wrapped: Buffer;
      let previous: Buffer | null;
      try {
        wrapped = wrapper.rewrap(row.wrapped, row.tenantId, webhookSecretKeyId(row.id, row.version)) ?? row.wrapped;
        previous =
          row.previousWrapped && row.previousVersion !== null
            ? (wrapper.rewrap(row.previousWrapped, row.tenantId, webhookSecretKeyId(row.id, row.previousVersion)) ?? row.previousWrapped)
            : row.previousWrapped;
      } catch {
        counts.failed.push(`webhook ${row.id}`);
        continue;
      }
      const updated: unknown[] = await ds.query(
        `UPDATE webhook_endpoints SET secret_wrapped = $3, previous_secret_wrapped = $4
          WHERE id = $1 AND secret_wrapped = $2 AND previous_secret_wrapped IS NOT DISTINCT FROM $5 RETURNING id`,
        [row.id, row.wrapped, wrapped, previous, row.previousWrapped],
      );
      if (updated.length) counts.rewrapped++;
      else counts.changedMeanwhile++;
    }
  }
}

/** How many wraps each master key and format holds, per table (`keys status`): rewrap is done when only the current key's format 2 is left. */
export async function wrapCensus(ds: DataSource): Promise<{ table: string; format: number; masterKeyId: string; count: number }[]> {
  const census = (table: string, column: string) =>
    `SELECT '${table}.${column}' AS "table", get_byte(${column}, 0) AS format, encode(substring(${column} from 2 for 8), 'hex') AS "masterKeyId", count(*)::int AS count
       FROM ${table} WHERE ${column} IS NOT NULL GROUP BY 2, 3`;
  return ds.query(
    [census('subject_keys', 'wrapped_key'), census('webhook_endpoints', 'secret_wrapped'), census('webhook_endpoints', 'previous_secret_wrapped')].join(' UNION ALL ') +
      ' ORDER BY 1, 2, 3',
  );
}
