import { assertArchiveKey, assertArchivePrefix } from './archive-key';
import { ArchiveStoreException } from './archive-store';

const refusal = (fn: () => void): ArchiveStoreException => {
  try {
    fn();
  } catch (err) {
    return err as ArchiveStoreException;
  }
  throw new Error('expected the call to throw');
};

describe(assertArchiveKey.name, () => {
  it.each(['a', 'tenants/8b7f5c52-3c4b-4d4e-9a53-6f5b3e2c1d0a/000001.jsonl.gz', 'a.b/c-d_e/f', 'é/ü', '.hidden', 'x/..y', 'a/.../b'])(
    'should accept %j when it is a relative /-separated name',
    (key) => {
      expect(() => assertArchiveKey(key)).not.toThrow();
    },
  );

  it.each([
    ['', 'empty'],
    ['/abs/key', 'absolute'],
    ['../escape', '".." segment'],
    ['a/../../b', '".." segment'],
    ['a/..', '".." segment'],
    ['a/./b', '"." segment'],
    ['a\\b', 'backslash'],
    ['..\\escape', 'backslash'],
    ['a\0b', 'NUL'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a/.b.partial-0123456789ab', 'temporary files'],
    ['x'.repeat(256), 'longer than 255'],
    [`${'abcdefgh/'.repeat(114)}z`, 'longer than 1024'],
  ])('should refuse %j when it is not a safe key (%s)', (key, why) => {
    const err = refusal(() => assertArchiveKey(key));
    expect(err).toBeInstanceOf(ArchiveStoreException);
    expect(err.code).toBe('invalid_key');
    expect(err.message).toContain(why);
  });
});

describe(assertArchivePrefix.name, () => {
  it.each(['', 'tenants/', 'tenants/ab', 'tenants/abc/00', 'a'])('should accept %j when it is a prefix', (prefix) => {
    expect(() => assertArchivePrefix(prefix)).not.toThrow();
  });

  it.each(['/', '/tenants', '../', 'a/../b/', 'a//', 'a\\', 'a\0'])('should refuse %j when it is not a safe prefix', (prefix) => {
    expect(refusal(() => assertArchivePrefix(prefix)).code).toBe('invalid_key');
  });
});
