// eslint-disable-next-line @typescript-eslint/no-require-imports
const { enterTestNamespace, testDatabaseUrl, testTopicPrefix, workerCount } = require('./test-namespace') as {
  enterTestNamespace: (env: NodeJS.ProcessEnv) => void;
  testDatabaseUrl: (base: string, id: string | number) => string;
  testTopicPrefix: (id: string | number) => string;
  workerCount: (name: string, fallback: number, env: NodeJS.ProcessEnv) => number;
};

const BASE = 'postgres://postgres@127.0.0.1:5432/agent_ledger_test';

describe('test namespaces', () => {
  it('should keep the stack test database for worker 1 and give every other worker its own', () => {
    expect(testDatabaseUrl(BASE, '1')).toBe(BASE);
    expect(testDatabaseUrl(BASE, 2)).toBe('postgres://postgres@127.0.0.1:5432/agent_ledger_test_w2');
    expect(testDatabaseUrl('postgres://u:p@db:6543/t?sslmode=disable', '3')).toBe('postgres://u:p@db:6543/t_w3?sslmode=disable');
  });

  it('should give each worker a topic prefix of its own', () => {
    expect(new Set([1, 2, 3].map(testTopicPrefix)).size).toBe(3);
    expect(testTopicPrefix(2)).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it("should point a process at its worker's topics and database", () => {
    const env: NodeJS.ProcessEnv = { JEST_WORKER_ID: '2', TEST_DATABASE_URL: BASE };
    enterTestNamespace(env);
    expect(env).toEqual({ JEST_WORKER_ID: '2', TEST_DATABASE_URL: `${BASE}_w2`, KAFKA_TOPIC_PREFIX: 'test-w2.' });
  });

  it('should read a worker count and refuse anything but 1 to 8', () => {
    expect(workerCount('W', 2, {})).toBe(2);
    expect(workerCount('W', 2, { W: '3' })).toBe(3);
    for (const bad of ['0', '9', '1.5', 'two']) expect(() => workerCount('W', 2, { W: bad })).toThrow(/W must be a whole number from 1 to 8/);
  });
});
