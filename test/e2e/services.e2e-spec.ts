import { runToExit, serviceDatabaseUrl, ServiceProcess, SERVICES, stackEnv, type ServiceName } from '@agent-ledger/testing';

/** Boots the five built services the way `npm start` does and checks their operational surface. */
describe('the five services', () => {
  const env = stackEnv();
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
  };
  // The checkpoint witness has no database or Redis; test/security/witness.e2e-spec.ts covers it.
  const names = (Object.keys(SERVICES) as ServiceName[]).filter((n) => n !== 'checkpoint-witness');
  const procs = names.map((name, i) => new ServiceProcess(name, 23100 + i, { ...baseEnv, DATABASE_URL: serviceDatabaseUrl(name, env.databaseUrl) }));

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
  });

  it('should all become ready and serve health and metrics when the stack is up', async () => {
    procs.forEach((p) => p.start());
    await Promise.all(procs.map((p) => p.waitReady(90_000)));
    for (const p of procs) {
      const live = await fetch(`${p.url}/health/live`);
      expect(live.status).toBe(200);
      const ready = await fetch(`${p.url}/health/ready`);
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      expect(body.checks).toEqual(
        expect.objectContaining({ kafka: expect.objectContaining({ ok: true }), postgres: expect.objectContaining({ ok: true }), redis: expect.objectContaining({ ok: true }) }),
      );
      const metrics = await fetch(`${p.url}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total /m);
    }
  });

  it('should exit with code 0 on SIGTERM when running', async () => {
    for (const p of procs) p.kill('SIGTERM');
    const results = await Promise.all(procs.map((p) => p.waitExit(30_000)));
    results.forEach((r, i) => expect({ service: names[i], ...r }).toEqual({ service: names[i], code: 0, signal: null }));
  });

  it.each(names)('should exit non-zero naming the variable when %s starts without DATABASE_URL', async (name) => {
    const { DATABASE_URL: _omit, ...withoutDb } = baseEnv;
    const result = await runToExit(name, withoutDb);
    expect(result.code).toBe(1);
    expect(result.output).toContain('DATABASE_URL');
    expect(result.output).toContain('invalid configuration');
  });

  it('should exit non-zero naming the variable when a port is malformed', async () => {
    const result = await runToExit('ingest-api', { ...baseEnv, INGEST_API_PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/INGEST_API_PORT: /);
  });
});
