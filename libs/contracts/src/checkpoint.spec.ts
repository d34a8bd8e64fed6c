import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { checkpointSigningPayload, validateCheckpoint, type Checkpoint, type UnsignedCheckpoint } from './index';

const unsigned: UnsignedCheckpoint = {
  checkpointId: '7b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d',
  createdAt: '2025-03-01T10:10:00Z',
  heads: [
    { partition: 0, chainSeq: '1042', hash: 'a'.repeat(64) },
    { partition: 1, chainSeq: '9007199254740993', hash: 'b'.repeat(64) },
  ],
  keyId: 'ed25519-2025-01',
};

describe(checkpointSigningPayload.name, () => {
  it('should be the canonical JSON of everything but the signature', () => {
    const signed: Checkpoint = { ...unsigned, signature: 'c2lnbmF0dXJl' };

    expect(checkpointSigningPayload(signed).toString('utf8')).toBe(
      '{"checkpointId":"7b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e","createdAt":"2025-03-01T10:10:00Z",' +
        '"heads":[{"chainSeq":"1042","hash":"' +
        'a'.repeat(64) +
        '","partition":0},{"chainSeq":"9007199254740993","hash":"' +
        'b'.repeat(64) +
        '","partition":1}],"keyId":"ed25519-2025-01","tenantId":"6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d"}',
    );
    expect(checkpointSigningPayload(signed).equals(checkpointSigningPayload(unsigned))).toBe(true);
  });

  it('should not depend on property order when the checkpoint is rebuilt from storage', () => {
    const reordered: UnsignedCheckpoint = {
      keyId: unsigned.keyId,
      heads: unsigned.heads.map((h) => ({ hash: h.hash, partition: h.partition, chainSeq: h.chainSeq })),
      tenantId: unsigned.tenantId,
      createdAt: unsigned.createdAt,
      checkpointId: unsigned.checkpointId,
    };

    expect(checkpointSigningPayload(reordered).equals(checkpointSigningPayload(unsigned))).toBe(true);
  });

  it('should let an Ed25519 signature verify and fail once a head is changed', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const signature = sign(null, checkpointSigningPayload(unsigned), privateKey).toString('base64');
    const signed: Checkpoint = { ...unsigned, signature };
    const tampered: Checkpoint = { ...signed, heads: [{ ...signed.heads[0], chainSeq: '1041' }, signed.heads[1]] };

    expect(verify(null, checkpointSigningPayload(signed), publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
    expect(verify(null, checkpointSigningPayload(tampered), publicKey, Buffer.from(tampered.signature, 'base64'))).toBe(false);
  });

  it('should not mutate the checkpoint when it leaves the signature out', () => {
    const signed: Checkpoint = { ...unsigned, signature: 'c2ln' };

    checkpointSigningPayload(signed);

    expect(signed.signature).toBe('c2ln');
  });
});

describe(validateCheckpoint.name, () => {
  const signed: Checkpoint = { ...unsigned, signature: Buffer.alloc(64, 7).toString('base64') };

  it('should accept a well-formed signed checkpoint', () => {
    expect(validateCheckpoint(signed)).toEqual({ ok: true, value: signed });
  });

  it('should report each malformed field with its pointer', () => {
    const result = validateCheckpoint({
      ...signed,
      heads: [
        { partition: -1, chainSeq: '01', hash: 'A'.repeat(64) },
        { partition: 2, chainSeq: 5, hash: 'a'.repeat(64) },
        { partition: 2, chainSeq: '5', hash: 'a'.repeat(64) },
      ],
      signature: 'not base64!',
    });

    expect(result.ok ? [] : result.errors.map((e) => [e.pointer, e.code])).toEqual([
      ['/heads/0/partition', 'minimum'],
      ['/heads/0/chainSeq', 'pattern'],
      ['/heads/0/hash', 'pattern'],
      ['/heads/1/chainSeq', 'type'],
      ['/signature', 'pattern'],
      ['/heads/2/partition', 'duplicate'],
    ]);
  });
});
