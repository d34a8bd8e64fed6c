import { join } from 'node:path';
import { Inject, Module, RequestMethod, type MiddlewareConsumer, type NestModule, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import { DashboardAssets } from './dashboard-assets';
import { DASHBOARD_ASSETS, DashboardMiddleware } from './dashboard.middleware';
import { loadDashboardConfig } from './config/dashboard.config';

/** Where the build puts the dashboard: dist/apps/dashboard/public, beside dist/apps/audit-api. */
export const DEFAULT_DASHBOARD_DIR = join(__dirname, '..', '..', '..', 'dashboard', 'public');

/** The web dashboard at `/`, read from its build output once at boot and served from memory. */
@Module({
  providers: [
    {
      provide: DASHBOARD_ASSETS,
      useFactory: () => {
        const config = loadDashboardConfig();
        return config.DASHBOARD_ENABLED ? DashboardAssets.load(config.DASHBOARD_DIR ?? DEFAULT_DASHBOARD_DIR) : DashboardAssets.none();
      },
    },
    DashboardMiddleware,
  ],
})
export class DashboardModule implements NestModule, OnModuleInit {
  private readonly log = createLogger(DashboardModule.name);

  constructor(@Inject(DASHBOARD_ASSETS) private readonly assets: DashboardAssets) {}

  onModuleInit(): void {
    if (!this.assets.dir) this.log.info('dashboard disabled (DASHBOARD_ENABLED=false)');
    else if (!this.assets.built) this.log.warn({ dir: this.assets.dir }, 'dashboard not built: / answers 404 (npm run build builds it)');
    else this.log.info({ dir: this.assets.dir, files: this.assets.size }, 'dashboard served at /');
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.assets.built) consumer.apply(DashboardMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
