import { loadConfig } from '@agent-ledger/config';
import { z } from 'zod';

export const dashboardEnvSchema = z.object({
  /** Folder of the built dashboard (index.html and assets/); default: dist/apps/dashboard/public beside the service. */
  DASHBOARD_DIR: z.string().min(1).optional(),
  /** `false` turns the dashboard off: `/` then answers 404 like any unknown path. */
  DASHBOARD_ENABLED: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
});

export type DashboardConfig = z.output<typeof dashboardEnvSchema>;

export const loadDashboardConfig = (env: NodeJS.ProcessEnv = process.env): DashboardConfig => loadConfig('audit-api', dashboardEnvSchema, env);
