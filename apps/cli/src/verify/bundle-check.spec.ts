import { checkBundle, checkConsistencyBundle, checkPrevious } from './bundle-check';
import { aSigningKey, TestLog } from './bundle.fixtures';
import type { ConsistencyBundle } from './proof-bundles';

const flip = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('checkConsistencyBundle', () => {
  const log = new TestLog(300);
  const pinned = [log.key.spki];
  /** A copy of a good 100 → 300 bundle with one edit. */
  const edited = (edit: (b: ConsistencyBundle) => void) => {
    const b = copy(log.consistencyBundle(100, 300));
    edit(b);
    return b;
  };

  it.each([
    [100, 300],
    [64, 300],
    [1, 300],
    [255, 256],
    [300, 300],
  ])('should verify when the log of %d leaves grew to %d', (from, to) => {
    expect(checkConsistencyBundle(log.consistencyBundle(from, to), pinned)).toEqual({ problems: [], keyPinned: true });
  });

  it("should verify with the bundle's own key, unpinned, when no trusted key is given", () => {
    expect(checkConsistencyBundle(log.consistencyBundle(100, 300))).toEqual({ problems: [], keyPinned: false });
  });

  it('should reject when the trusted key is another one', () => {
    expect(checkConsistencyBundle(log.consistencyBundle(100, 300), [aSigningKey().spki]).problems).toEqual([expect.stringMatching(/is not one of the trusted keys/)]);
  });

  it('should reject when the bundle carries a key other than the one that signed the heads', () => {
    const b = edited((x) => (x.publicKey = aSigningKey().spki));
    expect(checkConsistencyBundle(b).problems).toEqual([expect.stringMatching(/the from tree head names key .*, the bundle holds key/), expect.stringMatching(/the to tree head names key/)]);
  });

  it("should reject another log's heads, signed and carried by another key, once the real key is pinned", () => {
    const forged = new TestLog(300).consistencyBundle(100, 300);
    expect(checkConsistencyBundle(forged).problems).toEqual([]);
    expect(checkConsistencyBundle(forged, pinned).problems).toEqual([expect.stringMatching(/is not one of the trusted keys/)]);
  });

  it('should reject when a signed root was modified', () => {
    const b = edited((x) => (x.to.tree!.rootHash = flip(x.to.tree!.rootHash)));
    expect(checkConsistencyBundle(b, pinned).problems).toEqual([
      'the to tree head signature does not verify',
      expect.stringMatching(/does not show the signed 100-leaf tree a prefix of the signed 300-leaf tree/),
    ]);
  });

  it.each([0, 1, 'last'])('should reject when proof hash %s was modified', (which) => {
    const b = edited((x) => {
      const i = which === 'last' ? x.hashes.length - 1 : (which as number);
      x.hashes[i] = flip(x.hashes[i]);
    });
    expect(checkConsistencyBundle(b, pinned).problems).toEqual([expect.stringMatching(/does not show the signed 100-leaf tree a prefix/)]);
  });

  it('should reject when a proof hash is dropped or added, or is not hex', () => {
    expect(checkConsistencyBundle(edited((x) => x.hashes.pop()), pinned).problems).toEqual([expect.stringMatching(/does not show/)]);
    expect(checkConsistencyBundle(edited((x) => x.hashes.push(x.hashes[0])), pinned).problems).toEqual([expect.stringMatching(/does not show/)]);
    expect(checkConsistencyBundle(edited((x) => (x.hashes[0] = 'zz')), pinned).problems).toEqual(['hashes is not a list of 64 lowercase hex characters each']);
  });

  it('should reject when the from head is larger than the to head', () => {
    const b = log.consistencyBundle(100, 300);
    const swapped = { ...b, from: b.to, to: b.from };
    expect(checkConsistencyBundle(swapped, pinned).problems).toEqual(['the from tree head (300 leaves) is larger than the to tree head (100)']);
  });

  it("should reject when a size differs from the signed head's", () => {
    const b = edited((x) => (x.from.tree!.size = '101'));
    expect(checkConsistencyBundle(b, pinned).problems).toEqual(['the from tree head signature does not verify', expect.stringMatching(/signed 101-leaf tree a prefix/)]);
    // A proof for other sizes, presented with the signed heads of 100 and 300.
    const other = edited((x) => (x.hashes = log.consistency(101, 300)));
    expect(checkConsistencyBundle(other, pinned).problems).toEqual([expect.stringMatching(/does not show the signed 100-leaf tree/)]);
    expect(checkConsistencyBundle(edited((x) => (x.to.tree!.size = '0')), pinned).problems).toEqual(['the to tree head signature does not verify', "the to tree head's tree is not a size of at least 1 and a 64-hex root"]);
  });

  it('should reject when the heads are of different tenants', () => {
    const other = new TestLog(300, log.key);
    const b = { ...log.consistencyBundle(100, 300), to: other.treeHead(300) };
    expect(checkConsistencyBundle(b, pinned).problems).toEqual([expect.stringMatching(/the tree heads are of different tenants/), expect.stringMatching(/does not show/)]);
  });

  it('should reject a forked log: the older head signed over another history', () => {
    const fork = log.forkedAt(42);
    const b = { ...log.consistencyBundle(100, 300), from: fork.treeHead(100) };
    expect(checkConsistencyBundle(b, pinned).problems).toEqual([expect.stringMatching(/does not show the signed 100-leaf tree a prefix/)]);
  });

  it('should reject a head without a tree and a bundle missing its parts', () => {
    const b = edited((x) => delete x.from.tree);
    expect(checkConsistencyBundle(b, pinned).problems).toEqual(expect.arrayContaining(['the from tree head carries no tree']));
    expect(checkConsistencyBundle({ ...b, to: null } as never, pinned).problems).toEqual(['the bundle lacks from, to or publicKey']);
  });
});

describe('checkPrevious', () => {
  const log = new TestLog(200);
  const pinned = [log.key.spki];
  const bundle = log.consistencyBundle(120, 200);

  it('should accept when the kept inclusion or consistency bundle signed the from head', () => {
    expect(checkPrevious(bundle, log.inclusionBundle(7, 120), pinned)).toEqual({ problems: [], keyPinned: true });
    expect(checkPrevious(bundle, log.consistencyBundle(50, 120), pinned)).toEqual({ problems: [], keyPinned: true });
    expect(checkPrevious(bundle, log.inclusionBundle(7, 120))).toEqual({ problems: [], keyPinned: false });
  });

  it("should reject when the kept root differs from the bundle's from root (the log was rewritten)", () => {
    const forged = log.forkedAt(3).inclusionBundle(7, 120);
    expect(checkPrevious(bundle, forged, pinned).problems).toEqual([expect.stringMatching(/signed root of 120 leaves .* is not this bundle's from root .*: the log was rewritten since/)]);
  });

  it('should reject when the kept head has another size, another tenant, or does not verify itself', () => {
    expect(checkPrevious(bundle, log.inclusionBundle(7, 121), pinned).problems).toEqual(["the previous bundle's signed tree has 121 leaves, this bundle proves from 120"]);
    const other = new TestLog(120, log.key);
    expect(checkPrevious(bundle, other.inclusionBundle(7, 120), pinned).problems).toEqual([expect.stringMatching(/the previous bundle is of tenant/), expect.stringMatching(/is not this bundle's from root/)]);
    const tampered = copy(log.inclusionBundle(7, 120));
    tampered.treeHead.tree!.rootHash = bundle.from.tree!.rootHash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(checkPrevious(bundle, tampered, pinned).problems).toEqual(expect.arrayContaining(['the previous bundle: the tree head signature does not verify']));
  });

  it('should reject, without trusted keys, a kept bundle signed by another key', () => {
    const kept = new TestLog(120).inclusionBundle(7, 120);
    expect(checkPrevious(bundle, kept).problems).toEqual(expect.arrayContaining(["the previous bundle carries another key than the one of this bundle's from head: pass --public-key with the keys to trust"]));
  });

  it('should accept, without trusted keys, a kept bundle signed by the older key of a bundle across a key rotation', () => {
    const rotated = log.rotatedConsistencyBundle(120, 200, aSigningKey());
    expect(checkPrevious(rotated, log.inclusionBundle(7, 120))).toEqual({ problems: [], keyPinned: false });
    expect(checkPrevious(rotated, log.inclusionBundle(7, 120), [log.key.spki, rotated.publicKey])).toEqual({ problems: [], keyPinned: true });
  });
});

describe('checkConsistencyBundle across a key rotation', () => {
  const log = new TestLog(300);
  const newKey = aSigningKey();
  const rotated = log.rotatedConsistencyBundle(100, 300, newKey);

  it('should verify the older head with the older key and the newer head with the newer one, pinned when both are trusted', () => {
    expect(checkConsistencyBundle(rotated, [log.key.spki, newKey.spki])).toEqual({ problems: [], keyPinned: true });
    expect(checkConsistencyBundle(rotated)).toEqual({ problems: [], keyPinned: false });
  });

  it('should reject when only one of the two keys is trusted', () => {
    expect(checkConsistencyBundle(rotated, [newKey.spki])).toEqual({ problems: [`the bundle's key ${log.key.keyId} is not one of the trusted keys`], keyPinned: false });
    expect(checkConsistencyBundle(rotated, [log.key.spki])).toEqual({ problems: [`the bundle's key ${newKey.keyId} is not one of the trusted keys`], keyPinned: false });
  });

  it('should reject when the keys are swapped, the older key is left out, or a head was re-signed by another key', () => {
    expect(checkConsistencyBundle({ ...rotated, publicKey: log.key.spki, fromPublicKey: newKey.spki }).problems).toEqual([
      `the from tree head names key ${log.key.keyId}, the bundle holds key ${newKey.keyId}`,
      `the to tree head names key ${newKey.keyId}, the bundle holds key ${log.key.keyId}`,
    ]);
    expect(checkConsistencyBundle({ ...rotated, fromPublicKey: undefined }).problems).toEqual([`the from tree head names key ${log.key.keyId}, the bundle holds key ${newKey.keyId}`]);
    const intruder = aSigningKey();
    const resigned = { ...rotated, from: log.treeHead(100, undefined, intruder), fromPublicKey: intruder.spki };
    expect(checkConsistencyBundle(resigned, [log.key.spki, newKey.spki]).problems).toEqual([`the bundle's key ${intruder.keyId} is not one of the trusted keys`]);
    expect(checkConsistencyBundle({ ...rotated, fromPublicKey: 7 as never }).problems).toEqual(['fromPublicKey is not a base64 key']);
  });

  it('should still reject a forked log across the rotation', () => {
    const fork = log.forkedAt(5);
    const forged = { ...rotated, from: fork.treeHead(100) };
    expect(checkConsistencyBundle(forged, [log.key.spki, newKey.spki]).problems).toEqual([expect.stringMatching(/does not show the signed 100-leaf tree a prefix of the signed 300-leaf tree/)]);
  });
});

describe('checkBundle', () => {
  it('should dispatch on the format and refuse an unknown one', () => {
    const log = new TestLog(10);
    expect(checkBundle(log.inclusionBundle(3)).problems).toEqual([]);
    expect(checkBundle(log.consistencyBundle(3, 10)).problems).toEqual([]);
    expect(checkBundle({ ...log.inclusionBundle(3), format: 'other' } as never).problems).toEqual(['not a proof bundle (format other)']);
  });
});
