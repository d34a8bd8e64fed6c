import { randomUUID } from 'node:crypto';
import { ApiError } from '@agent-ledger/runtime';
import type { Response } from 'express';
import type { WitnessConfig } from '../config/witness.config';
import type { CheckpointStore } from '../store/checkpoint-store';
import { CheckpointsController } from './checkpoints.controller';

/** A Response double that records what the controller answers. */
function recorder() {
  const sent: { status?: number; type?: string; body?: string } = {};
  const res = {
    status: (s: number) => ((sent.status = s), res),
    type: (t: string) => ((sent.type = t), res),
    setHeader: () => res,
    send: (b: string) => ((sent.body = b), res),
  };
  return { res: res as unknown as Response, sent };
}

describe(CheckpointsController.name, () => {
  const tenantId = randomUUID();
  const store = { linesOf: async (t: string) => (t === tenantId ? ['{"a":1}', '{"b":2}'] : []) } as unknown as CheckpointStore;
  const controller = (token?: string) => new CheckpointsController(store, { WITNESS_READ_TOKEN: token } as WitnessConfig);

  it('should answer the stored lines as NDJSON when the tenant has checkpoints', async () => {
    const { res, sent } = recorder();
    await controller().list(tenantId, undefined, res);
    expect(sent).toEqual({ status: 200, type: 'application/x-ndjson', body: '{"a":1}\n{"b":2}\n' });
  });

  it('should answer an empty body when the tenant has none', async () => {
    const { res, sent } = recorder();
    await controller().list(randomUUID(), undefined, res);
    expect(sent.body).toBe('');
  });

  it('should refuse with 400 naming tenantId when it is not a UUID', async () => {
    await expect(controller().list('../etc/passwd', undefined, recorder().res)).rejects.toMatchObject({ status: 400, field: 'tenantId' });
  });

  it('should require the bearer token when WITNESS_READ_TOKEN is set', async () => {
    const token = 'a-long-enough-read-token';
    await expect(controller(token).list(tenantId, undefined, recorder().res)).rejects.toBeInstanceOf(ApiError);
    await expect(controller(token).list(tenantId, 'Bearer wrong-token-of-same-len', recorder().res)).rejects.toMatchObject({ status: 401 });
    const { res, sent } = recorder();
    await controller(token).list(tenantId, `Bearer ${token}`, res);
    expect(sent.status).toBe(200);
  });
});
