import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { checkpointsCodec, type Checkpoint } from '@agent-ledger/contracts';
import { signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import type { KafkaMessage } from '@agent-ledger/kafka';
import { admitCheckpoint } from './checkpoint-admission';
import { parseTrustedKeyList } from './trusted-keys';

const pair = generateKeyPairSync('ed25519');
const key = { ...pair, keyId: signingKeyId(pair.publicKey) };
const keys = parseTrustedKeyList(pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
const at = { topic: 'agent-ledger.checkpoints.v1', partition: 0, receivedAt: '2026-01-01T00:00:00.000Z' };

const sign = (tenantId: string = randomUUID()) =>
  signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt: '2026-01-01T00:00:00.000Z', heads: [{ partition: 0, chainSeq: '3', hash: 'a'.repeat(64) }] }, key);
function message(cp: Checkpoint | string, offset = '7'): KafkaMessage {
  const encoded = typeof cp === 'string' ? { key: 'k', value: cp, headers: checkpointsCodec.encode(sign()).headers } : checkpointsCodec.encode(cp);
  return { key: Buffer.from(encoded.key ?? ''), value: Buffer.from(encoded.value as string), headers: encoded.headers, offset, timestamp: '0', attributes: 0 } as unknown as KafkaMessage;
}

describe(admitCheckpoint.name, () => {
  it('should admit a checkpoint signed by a trusted key as it was published', () => {
    const cp = sign();
    expect(admitCheckpoint(message(cp), keys, at)).toEqual({ checkpoint: cp });
  });

  it('should refuse with bad_signature and keep the forged checkpoint when a signed field was changed', () => {
    const cp = { ...sign(), heads: [{ partition: 0, chainSeq: '300', hash: 'a'.repeat(64) }] };
    expect(admitCheckpoint(message(cp), keys, at)).toEqual({ refused: expect.objectContaining({ code: 'bad_signature', offset: '7', tenantId: cp.tenantId, checkpoint: cp }) });
  });

  it('should refuse as invalid when the value is not a checkpoint or its tenant is not a lowercase UUID', () => {
    expect(admitCheckpoint(message('{"not":"a checkpoint"}'), keys, at)).toEqual({ refused: expect.objectContaining({ code: 'invalid' }) });
    const upper = sign(randomUUID().toUpperCase());
    expect(admitCheckpoint(message(upper), keys, at)).toEqual({ refused: expect.objectContaining({ code: 'invalid', reason: expect.stringContaining('tenantId') }) });
  });
});
