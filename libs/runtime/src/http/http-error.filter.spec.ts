import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { ApiError } from './api-error';
import { classifyDatabaseError } from './database-errors';
import { HttpErrorFilter, toApiError } from './http-error.filter';

/** An error as http-errors builds it from a cause (what the body parser passes on). */
const httpError = (cause: Error, status: number, props: Record<string, unknown> = {}) => Object.assign(cause, { status, statusCode: status, expose: status < 500, ...props });

describe(toApiError.name, () => {
  it('should answer 400 undecodable_body when a gzip body does not decompress', async () => {
    const zlibError = await promisify(gunzip)(Buffer.from('not gzip')).catch((e: Error) => e);
    expect(toApiError(httpError(zlibError as Error, 400))).toMatchObject({ status: 400, code: 'undecodable_body', field: '(body)' });
  });

  it('should map the body parser errors to their statuses when the body is refused', () => {
    expect(toApiError(httpError(new Error('x'), 413, { type: 'entity.too.large', limit: 10 }))).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(toApiError(httpError(new Error('x'), 400, { type: 'entity.parse.failed' }))).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(toApiError(httpError(new Error('x'), 415, { type: 'encoding.unsupported' }))).toMatchObject({ status: 415, code: 'unsupported_content_encoding', field: 'Content-Encoding' });
    expect(toApiError(httpError(new Error('x'), 415, { type: 'charset.unsupported', charset: 'latin1' }))).toMatchObject({ status: 415, code: 'unsupported_charset' });
  });

  it('should answer 503 with Retry-After when the database is unreachable', () => {
    for (const err of [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), Object.assign(new Error('x'), { code: '57P01' }), new Error('Connection terminated unexpectedly')]) {
      const e = toApiError(err);
      expect(e).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(e.headers?.['Retry-After']).toBeDefined();
    }
  });

  it('should answer 400 when PostgreSQL refused a value (data exception) and 500 for anything else', () => {
    expect(toApiError(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' }))).toMatchObject({ status: 400, code: 'invalid_value' });
    expect(toApiError(Object.assign(new Error('x'), { code: '42P01' }))).toMatchObject({ status: 500, code: 'internal_error' });
    expect(toApiError(new TypeError('bug'))).toMatchObject({ status: 500, code: 'internal_error', message: 'internal error' });
  });

  it('should keep coded errors and Nest routing errors in the one shape when thrown', () => {
    expect(toApiError(ApiError.badRequest('x', 'y', 'f'))).toMatchObject({ status: 400, code: 'x', field: 'f' });
    expect(toApiError(new NotFoundException())).toMatchObject({ status: 404, code: 'not_found' });
    expect(toApiError(new BadRequestException("Failed to decode param '%E0%A4%A'"))).toMatchObject({ status: 400, code: 'malformed_url' });
  });
});

describe(classifyDatabaseError.name, () => {
  it('should read the SQLSTATE of a wrapped driver error when the ORM wraps it', () => {
    expect(classifyDatabaseError({ driverError: { code: '08006' } })).toBe('unavailable');
    expect(classifyDatabaseError({ driverError: { code: '22021' } })).toBe('data');
    expect(classifyDatabaseError('text')).toBeUndefined();
  });
});

describe(HttpErrorFilter.name, () => {
  const host = (res: object) => ({ getType: () => 'http', switchToHttp: () => ({ getResponse: () => res }) }) as never;

  it('should destroy the connection instead of ending it when the answer had already started', () => {
    const res = { headersSent: true, destroyed: false, destroy: jest.fn(), status: jest.fn(), setHeader: jest.fn(), json: jest.fn() };
    new HttpErrorFilter().catch(new Error('later failure'), host(res));
    expect(res.destroy).toHaveBeenCalled();
    expect(res.status).not.toHaveBeenCalled();
  });

  it('should answer the error body with its headers when nothing was sent yet', () => {
    const res = { headersSent: false, destroy: jest.fn(), setHeader: jest.fn(), json: jest.fn(), status: jest.fn() };
    res.status.mockReturnValue(res);
    new HttpErrorFilter().catch(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), host(res));
    expect(res.status).toHaveBeenCalledWith(503);
    expect(res.setHeader).toHaveBeenCalledWith('Retry-After', '2');
    expect(res.json).toHaveBeenCalledWith({ error: { status: 503, code: 'database_unavailable', message: 'the database is unavailable; retry later' } });
  });

  it('should hand the error back unchanged when it was thrown outside HTTP (a Kafka batch handler)', async () => {
    const error = new Error('database away');
    const rpcHost = { getType: () => 'rpc', switchToHttp: () => {
        throw new Error('an RPC error has no HTTP response');
      },
    } as never;
    const answer = new HttpErrorFilter().catch(error, rpcHost);
    await expect(lastValueFrom(answer!)).rejects.toBe(error);
  });
});
