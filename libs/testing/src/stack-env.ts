/** Connection settings of the local stack (set by scripts/stack.sh through .stack/env). */
export function stackEnv() {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run "bash scripts/stack.sh up" first`);
    return v;
  };
  return {
    kafkaBrokers: need('KAFKA_BROKERS').split(','),
    databaseUrl: process.env.TEST_DATABASE_URL ?? need('DATABASE_URL'),
    adminDatabaseUrl: need('DATABASE_URL'),
    redisUrl: need('REDIS_URL'),
  };
}

/** A database URL on the same server with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export const uniqueSuffix = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
