import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestBytesAdmission } from './request-bytes.admission';

function request(headers: Record<string, string>) {
  const res = new EventEmitter();
  const next = jest.fn();
  return { req: { headers } as unknown as IncomingMessage, res: res as unknown as ServerResponse, answered: () => res.emit('close'), next };
}

describe(requestBytesAdmission.name, () => {
  it('should answer 503 ingest_overloaded with Retry-After, before the body is read, when the declared bytes pass the budget', () => {
    const admit = requestBytesAdmission(3_000, 1_048_576);
    const first = request({ 'content-length': '2000' });
    const second = request({ 'content-length': '2000' });
    admit(first.req, first.res, first.next);
    admit(second.req, second.res, second.next);
    expect(first.next).toHaveBeenCalledWith();
    expect(second.next).toHaveBeenCalledWith(expect.objectContaining({ status: 503, code: 'ingest_overloaded', headers: { 'Retry-After': '1' } }));
  });

  it('should give the bytes back when the answer is sent', () => {
    const admit = requestBytesAdmission(3_000, 1_048_576);
    const first = request({ 'content-length': '2000' });
    admit(first.req, first.res, first.next);
    first.answered();
    const second = request({ 'content-length': '2000' });
    admit(second.req, second.res, second.next);
    expect(second.next).toHaveBeenCalledWith();
  });

  it('should count the largest accepted body when the length is not declared or the body is compressed', () => {
    const admit = requestBytesAdmission(1_500_000, 1_048_576);
    const chunked = request({ 'transfer-encoding': 'chunked' });
    const gzip = request({ 'content-length': '10', 'content-encoding': 'gzip' });
    admit(chunked.req, chunked.res, chunked.next);
    admit(gzip.req, gzip.res, gzip.next);
    expect(gzip.next).toHaveBeenCalledWith(expect.objectContaining({ status: 503 }));
  });

  it('should let requests without a body pass whatever is in progress', () => {
    const admit = requestBytesAdmission(1_048_576, 1_048_576);
    const big = request({ 'content-length': '1048576' });
    const get = request({});
    admit(big.req, big.res, big.next);
    admit(get.req, get.res, get.next);
    expect(get.next).toHaveBeenCalledWith();
  });
});
