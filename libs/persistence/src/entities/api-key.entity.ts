import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * `pii` adds personal data in clear (`subject.pii`, `actor.ip`) to what a `read` or `admin` key
 * reads; without it those fields read as redacted. It grants nothing on its own.
 */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin', 'pii'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** SHA-256 of the key: keys are 256-bit random, so a fast hash is enough and lookups stay O(1). */
  @Column('bytea', { name: 'key_hash' })
  keyHash!: Buffer;

  /** First characters of the key, shown to operators to tell keys apart. */
  @Column('text', { name: 'key_prefix' })
  keyPrefix!: string;

  @Column('text', { array: true })
  scopes!: ApiKeyScope[];

  @Column('text', { nullable: true })
  name!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
