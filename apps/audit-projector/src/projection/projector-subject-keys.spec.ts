import { randomBytes } from 'node:crypto';
import { MasterKeyring, PiiCipher } from '@agent-ledger/integrity';
import { TransientError } from '@agent-ledger/kafka';
import { SubjectKeyRaceError } from '@agent-ledger/persistence';
import { anActionEvent } from '@agent-ledger/testing';
import type { Redis } from 'ioredis';
import type { ProjectorSettings } from '../shared/projector-settings';
import type { ProjectionTransaction } from './projection.repository';
import { ProjectorSubjectKeys } from './projector-subject-keys';

describe(ProjectorSubjectKeys.name, () => {
  const keys = () => new ProjectorSubjectKeys({} as Redis, { cipher: new PiiCipher(new MasterKeyring(randomBytes(32))) } as ProjectorSettings);
  const tx = {} as ProjectionTransaction;
  const withPii = anActionEvent('6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d', { subject: { id: 'cust-1', pii: { email: 'jane@example.com' } } });

  it('should make a concurrent first use of a subject key a transient error (the batch is retried)', async () => {
    const subjectKeys = keys();
    jest.spyOn(subjectKeys.store, 'resolve').mockRejectedValue(new SubjectKeyRaceError('another writer created the key'));

    await expect(subjectKeys.resolve(tx, [withPii])).rejects.toBeInstanceOf(TransientError);
  });

  it('should pass any other failure on as it is', async () => {
    const subjectKeys = keys();
    const failure = new Error('connection terminated');
    jest.spyOn(subjectKeys.store, 'resolve').mockRejectedValue(failure);

    await expect(subjectKeys.resolve(tx, [withPii])).rejects.toBe(failure);
  });

  it('should need no statement when no event carries PII', async () => {
    const subjectKeys = keys();

    const rows = jest.fn();

    const resolved = await subjectKeys.resolve({ rows } as unknown as ProjectionTransaction, [anActionEvent('6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d')]);

    expect(resolved.keys.size).toBe(0);
    expect(rows).not.toHaveBeenCalled();
  });
});
