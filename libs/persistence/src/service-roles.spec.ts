import { readFileSync } from 'node:fs';
import path from 'node:path';
import { roleUrl, SERVICE_DATABASE_ROLES } from './service-roles';

describe(roleUrl.name, () => {
  it('should keep server, port, database and parameters and replace the user and password when given the owner URL', () => {
    expect(roleUrl('postgres://postgres:secret@db.internal:5433/agent_ledger?sslmode=require', 'agent_ledger_worker')).toBe(
      'postgres://agent_ledger_worker@db.internal:5433/agent_ledger?sslmode=require',
    );
    expect(roleUrl('postgresql://127.0.0.1/agent_ledger_test', 'agent_ledger_api', 'p@ss:w/rd')).toBe('postgresql://agent_ledger_api:p%40ss%3Aw%2Frd@127.0.0.1/agent_ledger_test');
  });
});

describe('SERVICE_DATABASE_ROLES', () => {
  it('should match the roles scripts/lib/env.sh gives the services when npm start runs them', () => {
    const script = readFileSync(path.resolve(__dirname, '../../../scripts/lib/env.sh'), 'utf8');
    const block = script.match(/SERVICE_DATABASE_ROLES=\(([^)]*)\)/)?.[1] ?? '';
    const pairs = Object.fromEntries([...block.matchAll(/\[([a-z-]+)\]=(\w+)/g)].map((m) => [m[1], m[2]]));
    expect(pairs).toEqual(SERVICE_DATABASE_ROLES);
  });
});
