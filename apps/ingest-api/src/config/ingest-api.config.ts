import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3100;

export const envSchema = z.object({
  ...commonEnv,
  INGEST_API_PORT: port(DEFAULT_PORT),
});

export type IngestApiConfig = z.output<typeof envSchema>;

export const loadIngestApiConfig = (env: NodeJS.ProcessEnv = process.env): IngestApiConfig =>
  loadConfig('ingest-api', envSchema, env);
