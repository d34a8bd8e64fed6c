import type { RedactionSettings } from '@agent-ledger/contracts';
import type { EntityManager } from '@agent-ledger/persistence';
import type { ChangeContext, ChangeRecorder } from '../change-log/change-recorder.service';
import type { RedactionRepository, RedactionRow } from './redaction.repository';
import { RedactionService } from './redaction.service';

/** One tenant's row in memory, and the changes recorded. */
function fakes(initial?: RedactionSettings) {
  let row: RedactionRow | undefined = initial && { ...initial, updatedAt: new Date('2026-01-01T00:00:00Z') };
  const recorded: unknown[] = [];
  const repository = {
    transaction: (_t: string, work: (m: EntityManager) => Promise<unknown>) => work({} as EntityManager),
    find: async () => row,
    lock: async () => (row ??= { keyPatterns: [], valuePatterns: [], freeTextPii: 'off', phoneRegion: null, updatedAt: new Date('2026-01-02T00:00:00Z') }),
    update: async (_m: EntityManager, _t: string, s: RedactionSettings) => (row = { ...s, updatedAt: new Date('2026-01-03T00:00:00Z') }),
  } as unknown as RedactionRepository;
  const changes = { record: async (_m: EntityManager, _c: ChangeContext, change: unknown) => void recorded.push(change), flushSoon: () => undefined } as unknown as ChangeRecorder;
  return { service: new RedactionService(repository, changes), recorded };
}

describe(RedactionService.name, () => {
  it('should answer the defaults when the tenant never set anything', async () => {
    expect(await fakes().service.get('t1')).toEqual({ keyPatterns: [], valuePatterns: [], freeTextPii: 'off', phoneRegion: null, updatedAt: null, default: true });
  });

  it('should change only the fields given and record before and after when settings are put', async () => {
    const { service, recorded } = fakes({ keyPatterns: ['iban'], valuePatterns: ['EMP-[0-9]+'], freeTextPii: 'redact', phoneRegion: 'US' });
    const view = await service.put('t1', { freeTextPii: 'encrypt', phoneRegion: null }, {} as ChangeContext);
    expect(view).toEqual({ keyPatterns: ['iban'], valuePatterns: ['EMP-[0-9]+'], freeTextPii: 'encrypt', phoneRegion: null, updatedAt: '2026-01-03T00:00:00.000Z', default: false });
    expect(recorded).toEqual([
      {
        tenantId: 't1',
        resource: { type: 'redaction_settings', id: 't1' },
        action: 'redaction_settings.updated',
        before: { keyPatterns: ['iban'], valuePatterns: ['EMP-[0-9]+'], freeTextPii: 'redact', phoneRegion: 'US' },
        after: { keyPatterns: ['iban'], valuePatterns: ['EMP-[0-9]+'], freeTextPii: 'encrypt', phoneRegion: null },
      },
    ]);
  });
});
