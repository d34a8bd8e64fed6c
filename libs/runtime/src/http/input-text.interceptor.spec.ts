import { of } from 'rxjs';
import { ApiError } from './api-error';
import { InputTextInterceptor } from './input-text.interceptor';

const ctx = (req: object) => ({ getType: () => 'http', switchToHttp: () => ({ getRequest: () => req }) }) as never;
const next = { handle: () => of('handled') };

function refusal(req: object, maxDepth?: number): ApiError | undefined {
  try {
    new InputTextInterceptor(maxDepth).intercept(ctx(req), next);
    return undefined;
  } catch (err) {
    return err as ApiError;
  }
}

describe(InputTextInterceptor.name, () => {
  it('should let clean input through to the handler', () => {
    expect(refusal({ body: { note: 'héllo 👋' }, query: { from: '2024-01-01' }, params: { id: 'a' } })).toBeUndefined();
  });

  it('should name the body field by JSON pointer, the query and path parameters by name when they hold NUL or a lone surrogate', () => {
    expect(refusal({ body: { a: { note: 'x\u0000' } } })).toMatchObject({ status: 400, code: 'validation_failed', field: '/a/note' });
    expect(refusal({ query: { from: '\uD800' } })).toMatchObject({ status: 400, field: 'from' });
    expect(refusal({ params: { id: 'a\u0000b' } })).toMatchObject({ status: 400, field: 'id' });
    expect(refusal({ query: { 'a\u0000': '1' } })?.field).toBe('a\\u0000');
  });

  it('should leave a binary body (OTLP protobuf) to its decoder when it holds a NUL byte', () => {
    expect(refusal({ body: Buffer.from([0x0a, 0x00, 0x12]) })).toBeUndefined();
  });

  it('should refuse a body nested 10,000 levels deep without exhausting the stack', () => {
    let body: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) body = [body];
    expect(refusal({ body })).toMatchObject({ status: 400, errors: [expect.objectContaining({ code: 'depth' })] });
  });

  it('should apply the configured depth when a service allows an envelope around its values', () => {
    let body: unknown = 1;
    for (let i = 0; i < 65; i++) body = { x: body };
    expect(refusal({ body })).toBeDefined();
    expect(refusal({ body }, 66)).toBeUndefined();
  });
});
