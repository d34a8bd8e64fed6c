import { Injectable } from '@nestjs/common';
import { DataSource, TenantEntity, type EntityManager } from '@agent-ledger/persistence';

@Injectable()
export class TenantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction (a tenant and its first keys are created together or not at all). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async findById(tenantId: string): Promise<TenantEntity | null> {
    return this.dataSource.getRepository(TenantEntity).findOne({ where: { id: tenantId } });
  }

  async findByName(name: string, manager: EntityManager = this.dataSource.manager): Promise<TenantEntity | null> {
    return manager.getRepository(TenantEntity).createQueryBuilder('t').where('lower(t.name) = lower(:name)', { name }).getOne();
  }

  async insert(manager: EntityManager, tenant: { id: string; name: string }): Promise<TenantEntity> {
    return manager.save(TenantEntity, manager.create(TenantEntity, { ...tenant, redactionPatterns: [] }));
  }

  async list(): Promise<TenantEntity[]> {
    return this.dataSource.getRepository(TenantEntity).find({ order: { createdAt: 'ASC' } });
  }
}
