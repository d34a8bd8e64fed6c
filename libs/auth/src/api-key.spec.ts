import { bearerToken, presentedApiKey, displayPrefix, generateApiKey, hashApiKey, looksLikeApiKey, secretsEqual } from './api-key';
import { grants } from './auth.guard';

describe('api keys', () => {
  it('should generate distinct 256-bit keys whose hash is stored instead of the key', () => {
    const a = generateApiKey('ingest');
    const b = generateApiKey('ingest');
    expect(a.raw).not.toBe(b.raw);
    expect(a.raw).toMatch(/^alk_ingest_[A-Za-z0-9_-]{43}$/);
    expect(a.hash.equals(hashApiKey(a.raw))).toBe(true);
    expect(a.prefix).toBe(a.raw.slice(0, 'alk_ingest_'.length + 6));
  });

  it('should recognise only values shaped like a key when checking before a lookup', () => {
    expect(looksLikeApiKey(generateApiKey('read').raw)).toBe(true);
    expect(looksLikeApiKey('alk_read_short')).toBe(false);
    expect(looksLikeApiKey('Bearer something')).toBe(false);
    expect(looksLikeApiKey('')).toBe(false);
  });

  it('should read the bearer token when the header is well formed and nothing otherwise', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken(['Bearer x', 'Bearer y'])).toBe('x');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('should take the key from Authorization: Bearer or X-API-Key, and refuse two different keys', () => {
    const a = generateApiKey('read').raw;
    const b = generateApiKey('read').raw;
    expect(presentedApiKey({ authorization: `Bearer ${a}` })).toEqual({ ok: true, token: a });
    expect(presentedApiKey({ 'x-api-key': ` ${a} ` })).toEqual({ ok: true, token: a });
    expect(presentedApiKey({ authorization: `Bearer ${a}`, 'x-api-key': a })).toEqual({ ok: true, token: a });
    expect(presentedApiKey({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': b })).toEqual({ ok: true, token: b });
    expect(presentedApiKey({ authorization: `Bearer ${a}`, 'x-api-key': b })).toMatchObject({ ok: false, code: 'conflicting_api_keys' });
    expect(presentedApiKey({ 'x-api-key': '' })).toEqual({ ok: true, token: undefined });
    expect(presentedApiKey({})).toEqual({ ok: true, token: undefined });
  });

  it('should compare secrets of different lengths without throwing', () => {
    expect(secretsEqual('a'.repeat(40), 'a'.repeat(40))).toBe(true);
    expect(secretsEqual('a'.repeat(40), 'a')).toBe(false);
  });

  it('should show the scope hint and six random characters when displaying a prefix', () => {
    const raw = `alk_admin_${'_-abcdef'.repeat(5)}xyz`;
    expect(displayPrefix(raw)).toBe('alk_admin__-abcd');
  });

  it('should accept keys whose random part contains "_" and "-" when checking their shape', () => {
    for (let i = 0; i < 200; i++) {
      const { raw, prefix } = generateApiKey('admin');
      expect(looksLikeApiKey(raw)).toBe(true);
      expect(prefix).toHaveLength('alk_admin_'.length + 6);
    }
  });

  it('should let admin keys read but not ingest when checking scopes', () => {
    expect(grants(['admin'], 'read')).toBe(true);
    expect(grants(['admin'], 'ingest')).toBe(false);
    expect(grants(['read'], 'admin')).toBe(false);
    expect(grants(['ingest', 'read'], 'read')).toBe(true);
  });
});
