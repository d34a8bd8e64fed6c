import { createHash } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { loadPublicKey, parseTrustedKeys, signingKeyId, verifyCheckpointSignature, verifyConsistency, verifyInclusion } from '@agent-ledger/integrity';
import { CONSISTENCY_BUNDLE_FORMAT, INCLUSION_BUNDLE_FORMAT, newestTreeHeadOf, type ConsistencyBundle, type InclusionBundle, type ProofBundle } from './proof-bundles';

/** What checking a bundle found: `problems` is empty when it verifies. */
export interface BundleCheck {
  problems: string[];
  /** Every key the bundle relies on is one of the trusted keys. */
  keyPinned: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SIZE = /^[1-9]\d{0,15}$/;

const isHexList = (v: unknown): v is string[] => Array.isArray(v) && v.every((h) => typeof h === 'string' && HEX64.test(h));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hexes = (list: string[]) => list.map((h) => Buffer.from(h, 'hex'));

/** Checks a bundle of either format offline (see {@link checkInclusionBundle}, {@link checkConsistencyBundle}). */
export function checkBundle(bundle: ProofBundle, trusted?: readonly string[]): BundleCheck {
  if (bundle.format === CONSISTENCY_BUNDLE_FORMAT) return checkConsistencyBundle(bundle, trusted);
  if (bundle.format === INCLUSION_BUNDLE_FORMAT) return checkInclusionBundle(bundle, trusted);
  return { problems: [`not a proof bundle (format ${String((bundle as { format?: unknown }).format)})`], keyPinned: false };
}

/**
 * Checks an inclusion bundle without the server: the event's stored hash recomputes (SHA-256(prevHash
 * ‖ eventJson)) and names this event of this tenant; the tree head's signature verifies with the
 * bundle's key (whose id it names), a trusted key when `trusted` is given; the proof puts the event's
 * hash at its leaf index in the signed tree.
 */
export function checkInclusionBundle(bundle: InclusionBundle, trusted?: readonly string[]): BundleCheck {
  const problems: string[] = [];
  const { event, proof, treeHead } = bundle;
  if (bundle.format !== INCLUSION_BUNDLE_FORMAT) return { problems: [`not an inclusion bundle (format ${String(bundle.format)})`], keyPinned: false };
  if (!isObject(event) || !isObject(proof) || !isObject(treeHead) || typeof bundle.publicKey !== 'string') return { problems: ['the bundle lacks event, proof, treeHead or publicKey'], keyPinned: false };
  if (typeof event.prevHash !== 'string' || !HEX64.test(event.prevHash) || typeof event.hash !== 'string' || !HEX64.test(event.hash) || !isHexList(proof.hashes)) {
    return { problems: ['a hash is not 64 lowercase hex characters'], keyPinned: false };
  }
  if (typeof event.eventJson !== 'string') return { problems: ['eventJson is not a string'], keyPinned: false };
  const recomputed = createHash('sha256').update(Buffer.from(event.prevHash, 'hex')).update(event.eventJson, 'utf8').digest('hex');
  if (recomputed !== event.hash) problems.push('the event does not hash to its stored hash (the event or its hash was modified)');
  let stored: { eventId?: unknown; tenantId?: unknown } = {};
  try {
    stored = JSON.parse(event.eventJson) as typeof stored;
  } catch {
    problems.push('eventJson is not JSON');
  }
  if (stored.eventId !== event.eventId) problems.push(`eventJson names event ${String(stored.eventId)}, not ${event.eventId}`);
  if (stored.tenantId !== treeHead.tenantId) problems.push("the event is not the tree head's tenant's");

  const keyPinned = checkSignatures(bundle.publicKey, [['tree head', treeHead]], trusted, problems);
  const tree = signedTree('tree head', treeHead, problems);
  if (!tree) return { problems, keyPinned };
  if (String(proof.treeSize) !== String(tree.size)) problems.push(`the proof is for a tree of ${proof.treeSize} leaves, the signed tree head has ${tree.size}`);
  else if (!verifyInclusion(Number(proof.leafIndex), tree.size, Buffer.from(event.hash, 'hex'), hexes(proof.hashes), tree.root)) {
    problems.push(`the inclusion proof does not lead to the signed root (leaf ${proof.leafIndex} of ${tree.size})`);
  }
  return { problems, keyPinned };
}

/**
 * Checks a consistency bundle without the server: both tree heads are signed by the bundle's key
 * (whose id they name; a trusted key when `trusted` is given) — `from` by `fromPublicKey` when the
 * bundle carries one (a key rotation between the heads) — for the same tenant, and the RFC 9162
 * consistency proof shows the tree of the `from` head's size and root a prefix of the `to` head's.
 * Sizes and roots are read from the signed heads only.
 */
export function checkConsistencyBundle(bundle: ConsistencyBundle, trusted?: readonly string[]): BundleCheck {
  if (bundle.format !== CONSISTENCY_BUNDLE_FORMAT) return { problems: [`not a consistency bundle (format ${String(bundle.format)})`], keyPinned: false };
  if (!isObject(bundle.from) || !isObject(bundle.to) || typeof bundle.publicKey !== 'string') return { problems: ['the bundle lacks from, to or publicKey'], keyPinned: false };
  if (bundle.fromPublicKey !== undefined && typeof bundle.fromPublicKey !== 'string') return { problems: ['fromPublicKey is not a base64 key'], keyPinned: false };
  if (!isHexList(bundle.hashes)) return { problems: ['hashes is not a list of 64 lowercase hex characters each'], keyPinned: false };
  const problems: string[] = [];
  const { from, to } = bundle;
  // After a key rotation between the heads, `from` is signed by the older key the bundle carries as well.
  const keyPinned =
    bundle.fromPublicKey === undefined
      ? checkSignatures(bundle.publicKey, [['from tree head', from], ['to tree head', to]], trusted, problems)
      : [checkSignatures(bundle.fromPublicKey, [['from tree head', from]], trusted, problems), checkSignatures(bundle.publicKey, [['to tree head', to]], trusted, problems)].every(Boolean);
  if (from.tenantId !== to.tenantId) problems.push(`the tree heads are of different tenants (${String(from.tenantId)}, ${String(to.tenantId)})`);
  const first = signedTree('from tree head', from, problems);
  const second = signedTree('to tree head', to, problems);
  if (!first || !second) return { problems, keyPinned };
  if (first.size > second.size) problems.push(`the from tree head (${first.size} leaves) is larger than the to tree head (${second.size})`);
  else if (!verifyConsistency(first.size, second.size, first.root, second.root, hexes(bundle.hashes))) {
    problems.push(`the consistency proof does not show the signed ${first.size}-leaf tree a prefix of the signed ${second.size}-leaf tree (the log was rewritten, or the proof or a root was modified)`);
  }
  return { problems, keyPinned };
}

/**
 * `verify-bundle --previous`: the tree head the auditor kept from an earlier bundle (an inclusion
 * bundle's, or a consistency bundle's `to`) is the consistency bundle's `from` — same tenant, size
 * and root — so the log only grew since. The earlier bundle is checked as well. Without trusted keys
 * the earlier bundle must carry the key that signed this bundle's `from`.
 */
export function checkPrevious(bundle: ConsistencyBundle, previous: ProofBundle, trusted?: readonly string[]): BundleCheck {
  const earlier = checkBundle(previous, trusted);
  const problems = earlier.problems.map((p) => `the previous bundle: ${p}`);
  const kept = newestTreeHeadOf(previous);
  if (!trusted?.length && previous.publicKey !== (bundle.fromPublicKey ?? bundle.publicKey)) problems.push("the previous bundle carries another key than the one of this bundle's from head: pass --public-key with the keys to trust");
  if (!isObject(kept) || !isObject(kept.tree) || !isObject(bundle.from) || !isObject(bundle.from.tree)) {
    problems.push('the previous bundle or this one lacks a signed tree head');
    return { problems, keyPinned: earlier.keyPinned };
  }
  if (kept.tenantId !== bundle.from.tenantId) problems.push(`the previous bundle is of tenant ${String(kept.tenantId)}, this one of ${String(bundle.from.tenantId)}`);
  if (kept.tree.size !== bundle.from.tree.size) problems.push(`the previous bundle's signed tree has ${String(kept.tree.size)} leaves, this bundle proves from ${String(bundle.from.tree.size)}`);
  else if (kept.tree.rootHash !== bundle.from.tree.rootHash) {
    problems.push(`the previous bundle's signed root of ${kept.tree.size} leaves (${String(kept.tree.rootHash)}) is not this bundle's from root (${String(bundle.from.tree.rootHash)}): the log was rewritten since`);
  }
  return { problems, keyPinned: earlier.keyPinned };
}

/** Each head's signature verifies with `publicKey`, whose id it names; returns whether that key is trusted. */
function checkSignatures(publicKey: string, heads: [string, Checkpoint][], trusted: readonly string[] | undefined, problems: string[]): boolean {
  try {
    const key = loadPublicKey(publicKey);
    const keyId = signingKeyId(key);
    for (const [label, head] of heads) {
      if (head.keyId !== keyId) problems.push(`the ${label} names key ${String(head.keyId)}, the bundle holds key ${keyId}`);
      else if (!verifyCheckpointSignature(head, key)) problems.push(`the ${label} signature does not verify`);
    }
    if (!trusted?.length) return false;
    const pinned = parseTrustedKeys(trusted).some((k) => k.keyId === keyId);
    if (!pinned) problems.push(`the bundle's key ${keyId} is not one of the trusted keys`);
    return pinned;
  } catch (err) {
    problems.push(`publicKey: ${(err as Error).message}`);
    return false;
  }
}

/** The size and root a signed head states, or a named problem. */
function signedTree(label: string, head: Checkpoint, problems: string[]): { size: number; root: Buffer } | undefined {
  const tree = head.tree;
  if (!isObject(tree)) {
    problems.push(`the ${label} carries no tree`);
    return undefined;
  }
  if (typeof tree.size !== 'string' || !SIZE.test(tree.size) || !Number.isSafeInteger(Number(tree.size)) || typeof tree.rootHash !== 'string' || !HEX64.test(tree.rootHash)) {
    problems.push(`the ${label}'s tree is not a size of at least 1 and a 64-hex root`);
    return undefined;
  }
  return { size: Number(tree.size), root: Buffer.from(tree.rootHash, 'hex') };
}
