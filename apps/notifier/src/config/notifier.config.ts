import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3303;

export const envSchema = z.object({
  ...commonEnv,
  NOTIFIER_PORT: port(DEFAULT_PORT),
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default('agent-ledger <ledger@localhost>'),
  DASHBOARD_URL: z.string().url().default('http://127.0.0.1:3200'),
});

export type NotifierConfig = z.output<typeof envSchema>;

export const loadNotifierConfig = (env: NodeJS.ProcessEnv = process.env): NotifierConfig =>
  loadConfig('notifier', envSchema, env);
