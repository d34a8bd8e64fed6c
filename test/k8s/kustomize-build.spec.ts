/**
 * Every kustomization under k8s/ (the base, the migrate Job, each overlay) builds with
 * `kubectl kustomize`, and what it renders — what `kubectl apply -k` would send — passes the
 * schema of its kind (kubernetes-models, KEDA's CRDs from @kubernetes-models/keda) and the rules of
 * autoscaling: one autoscaler per Deployment, consumers never beyond the partitions they read.
 */
import * as path from 'node:path';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { modelFor, type KObject } from './kubernetes-schema';
import { K8S_DIR, kustomizationDirs, kustomizeBuild, ROOT, stackPartitionCounts } from './kustomize';

const CONSUMERS = ['audit-projector', 'escalation-worker', 'notifier'];
/** Topics each consumer's groups read (apps/<app>/src/**\/*.consumer.ts). */
const TOPICS_OF: Record<string, string[]> = {
  'audit-projector': [ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC],
  'escalation-worker': [ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC],
  notifier: [ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC],
};

const dirs = kustomizationDirs();
const builds = new Map<string, KObject[]>();
const build = (dir: string) => {
  if (!builds.has(dir)) builds.set(dir, kustomizeBuild(dir));
  return builds.get(dir)!;
};
const overlays = dirs.filter((d) => d.startsWith(path.join(K8S_DIR, 'overlays') + path.sep));
const deploying = [path.join(K8S_DIR, 'base'), ...overlays];
const rel = (dir: string) => path.relative(ROOT, dir);

/** The Deployments each autoscaler of a build targets. */
function autoscalerTargets(docs: KObject[]): { autoscaler: string; target: string; max: number; min: number }[] {
  return docs.flatMap((d) => {
    if (d.kind === 'HorizontalPodAutoscaler') {
      const spec = (d as unknown as IHorizontalPodAutoscaler).spec!;
      return [{ autoscaler: `HorizontalPodAutoscaler/${d.metadata?.name}`, target: spec.scaleTargetRef.name, max: spec.maxReplicas, min: spec.minReplicas ?? 1 }];
    }
    if (d.kind === 'ScaledObject') {
      const spec = (d as unknown as IScaledObject).spec;
      return [{ autoscaler: `ScaledObject/${d.metadata?.name}`, target: spec.scaleTargetRef.name, max: spec.maxReplicaCount ?? 100, min: spec.minReplicaCount ?? 0 }];
    }
    return [];
  });
}

describe('kustomize build', () => {
  it('should find the base, the migrate Job and at least the local and KEDA overlays when k8s/ is read', () => {
    expect(dirs.map(rel)).toEqual(expect.arrayContaining(['k8s/base', 'k8s/migrate', 'k8s/overlays/local', 'k8s/overlays/keda']));
  });

  describe.each(dirs.map((d) => [rel(d), d] as const))('%s', (_name, dir) => {
    it('should render with kubectl kustomize when built', () => {
      expect(build(dir).length).toBeGreaterThan(0);
    });

    it('should render only kinds with a schema, each document valid when validated', () => {
      const problems = build(dir).flatMap((doc) => {
        const Model = modelFor(String(doc.apiVersion), String(doc.kind));
        if (!Model) return [`${doc.kind}/${doc.metadata?.name}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`];
        try {
          new Model(doc).validate();
          return [];
        } catch (err) {
          return [`${doc.kind}/${doc.metadata?.name}: ${(err as Error).message}`];
        }
      });
      expect(problems).toEqual([]);
    });

    it('should put every namespaced object into the agent-ledger namespace when rendered', () => {
      const outside = build(dir)
        .filter((d) => d.kind !== 'Namespace' && d.metadata?.namespace !== 'agent-ledger')
        .map((d) => `${d.kind}/${d.metadata?.name}`);
      expect(outside).toEqual([]);
    });
  });

  describe.each(deploying.map((d) => [rel(d), d] as const))('%s (deployable)', (_name, dir) => {
    it('should scale each consumer with exactly one autoscaler and nothing else with any when rendered', () => {
      const targets = autoscalerTargets(build(dir));
      const byTarget = Object.fromEntries(CONSUMERS.map((c) => [c, targets.filter((t) => t.target === c).map((t) => t.autoscaler.split('/')[0])]));
      expect(byTarget).toEqual(Object.fromEntries(CONSUMERS.map((c) => [c, [expect.any(String)]])));
      expect(targets.filter((t) => !CONSUMERS.includes(t.target))).toEqual([]);
    });

    it('should keep each consumer between 1 and the partition count of every topic it reads when autoscaled', () => {
      const partitions = stackPartitionCounts();
      for (const t of autoscalerTargets(build(dir))) {
        const fewest = Math.min(...TOPICS_OF[t.target].map((topic) => partitions[topic]));
        expect({ ...t, fewest, within: t.min >= 1 && t.min <= t.max && t.max <= fewest }).toEqual({ ...t, fewest, within: true });
      }
    });

    it('should render one Deployment, PodDisruptionBudget and NetworkPolicy per app when built', () => {
      const names = (kind: string) => build(dir).filter((d) => d.kind === kind).map((d) => d.metadata?.name).sort();
      const apps = names('Deployment');
      expect(apps).toHaveLength(7);
      expect(names('PodDisruptionBudget')).toEqual(apps);
      expect(names('NetworkPolicy')).toEqual([...apps, 'allow-dns', 'default-deny'].sort());
    });
  });

  it('should read the stack\'s partition counts when scripts/stack.sh is parsed', () => {
    expect(stackPartitionCounts()).toEqual(expect.objectContaining({ [ACTION_EVENTS_TOPIC]: expect.any(Number), [ESCALATIONS_TOPIC]: expect.any(Number) }));
  });
});
