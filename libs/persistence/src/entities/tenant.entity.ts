import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true, name: 'redaction_patterns', default: () => `'{}'` })
  redactionPatterns!: string[];

  @Column('integer', { name: 'retention_days', default: 90 })
  retentionDays!: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
