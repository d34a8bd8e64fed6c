/**
 * Renders the kustomizations under k8s/ with `kubectl kustomize` (kustomize built into kubectl: no
 * cluster, no network) and reads facts the manifests must agree with from the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KObject } from './kubernetes-schema';

export const ROOT = path.resolve(__dirname, '../..');
export const K8S_DIR = path.join(ROOT, 'k8s');
const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Every directory under k8s/ with a kustomization.yaml: the base, the migrate Job, each overlay. */
export function kustomizationDirs(dir: string = K8S_DIR): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return kustomizationDirs(full);
      return entry === 'kustomization.yaml' ? [dir] : [];
    });
}

/** The documents `kubectl kustomize <dir>` renders; throws with kubectl's error output. */
export function kustomizeBuild(dir: string): KObject[] {
  let out: string;
  try {
    out = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 32 * 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${KUBECTL} is not installed: the kustomize build test needs kubectl (kustomize ≥ 5 built in), or set KUBECTL`);
    throw new Error(`kubectl kustomize ${path.relative(ROOT, dir)} failed: ${e.stderr ?? e.message}`);
  }
  return parseAllDocuments(out)
    .map((d) => d.toJS() as KObject | null)
    .filter((d): d is KObject => !!d);
}

/**
 * The partition counts scripts/stack.sh gives the topics by default (its TOPICS list, the one place
 * they are defined for the local stack; docker-compose.yml is checked against the same numbers).
 */
export function stackPartitionCounts(): Record<string, number> {
  const script = readFileSync(path.join(ROOT, 'scripts/stack.sh'), 'utf8');
  const list = script.match(/^TOPICS=\(\n([\s\S]*?)\n\)/m)?.[1] ?? '';
  return Object.fromEntries(
    // "${KAFKA_TOPIC_PREFIX:-}<name>:${<VARIABLE>:-<count>}" or "…<name>:<count>": the released names (no prefix).
    [...list.matchAll(/"(?:\$\{KAFKA_TOPIC_PREFIX:-\})?([a-z0-9.-]+):(?:\$\{[A-Z_]+:-)?(\d+)\}?"/g)].map((m) => [m[1], Number(m[2])]),
  );
}

export const exists = (file: string) => existsSync(path.join(ROOT, file));
