/**
 * The KEDA overlay (k8s/overlays/keda): one ScaledObject per consumer with a Kafka lag trigger per
 * consumer group of the app, checked against what the apps consume and against the capacity model
 * the thresholds come from. The schema check of every rendered document is kustomize-build.spec.ts.
 */
import * as path from 'node:path';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ACTION_EVENTS_TOPIC, AUDIT_PROJECTOR_GROUP, ESCALATION_WORKER_GROUP, ESCALATIONS_TOPIC, NOTIFIER_GROUP } from '@agent-ledger/contracts';
import { lagThreshold, type Measurements } from '../../tools/capacity/capacity-model';
import { createFieldChecker } from './kubernetes-schema';
import { K8S_DIR, kustomizeBuild, ROOT } from './kustomize';
import { readFileSync } from 'node:fs';

const measurements = JSON.parse(readFileSync(path.join(ROOT, 'tools/capacity/measurements.json'), 'utf8')) as Measurements;

/**
 * Each consumer's groups, the topic each reads and where a group without committed offsets starts
 * (the consumers' `groupId` and `fromBeginning` in apps/<app>/src/**\/*.consumer.ts).
 */
const GROUPS: Record<string, { group: string; topic: string; start: 'earliest' | 'latest' }[]> = {
  'audit-projector': [
    { group: AUDIT_PROJECTOR_GROUP, topic: ACTION_EVENTS_TOPIC, start: 'earliest' },
    { group: `${AUDIT_PROJECTOR_GROUP}-escalations`, topic: ESCALATIONS_TOPIC, start: 'earliest' },
  ],
  'escalation-worker': [
    { group: ESCALATION_WORKER_GROUP, topic: ACTION_EVENTS_TOPIC, start: 'earliest' },
    { group: `${ESCALATION_WORKER_GROUP}-state`, topic: ESCALATIONS_TOPIC, start: 'earliest' },
  ],
  notifier: [
    { group: `${NOTIFIER_GROUP}-events`, topic: ACTION_EVENTS_TOPIC, start: 'latest' },
    { group: NOTIFIER_GROUP, topic: ESCALATIONS_TOPIC, start: 'earliest' },
  ],
};

const rendered = kustomizeBuild(path.join(K8S_DIR, 'overlays/keda'));
const scaledObjects = rendered.filter((d) => d.kind === 'ScaledObject') as unknown as IScaledObject[];
const configMap = rendered.find((d) => d.kind === 'ConfigMap' && d.metadata?.name === 'agent-ledger-config') as unknown as IConfigMap;

describe('KEDA ScaledObjects', () => {
  it('should scale exactly the three consumers, a Deployment each, when the overlay is built', () => {
    expect(scaledObjects.map((s) => [s.metadata?.name, s.spec.scaleTargetRef.kind ?? 'Deployment', s.spec.scaleTargetRef.name]).sort()).toEqual(
      Object.keys(GROUPS).map((app) => [app, 'Deployment', app]).sort(),
    );
  });

  it.each(Object.keys(GROUPS))('should trigger %s on the lag of each of its consumer groups when KEDA polls', (app) => {
    const so = scaledObjects.find((s) => s.metadata?.name === app)!;
    const triggers = so.spec.triggers.map((t) => ({ type: t.type, group: t.metadata.consumerGroup, topic: t.metadata.topic, start: t.metadata.offsetResetPolicy }));
    expect(triggers).toEqual(GROUPS[app].map((g) => ({ type: 'kafka', ...g })));
  });

  it.each(Object.keys(GROUPS))('should reach the brokers the pods use and never idle a member when %s scales', (app) => {
    const so = scaledObjects.find((s) => s.metadata?.name === app)!;
    for (const t of so.spec.triggers) {
      expect({ bootstrapServers: t.metadata.bootstrapServers, allowIdleConsumers: t.metadata.allowIdleConsumers }).toEqual({
        bootstrapServers: configMap.data?.KAFKA_BROKERS,
        allowIdleConsumers: 'false',
      });
    }
  });

  it.each(Object.keys(GROUPS))('should take lagThreshold of %s from the capacity model when thresholds are set', (app) => {
    const so = scaledObjects.find((s) => s.metadata?.name === app)!;
    const expected = String(lagThreshold(measurements, app as 'audit-projector' | 'escalation-worker' | 'notifier'));
    expect(so.spec.triggers.map((t) => t.metadata.lagThreshold)).toEqual(so.spec.triggers.map(() => expected));
  });

  it('should scale down one pod at a time and keep at least two when the lag falls', () => {
    for (const so of scaledObjects) {
      expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
      const down = so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown;
      expect(down?.policies).toEqual([{ type: 'Pods', value: 1, periodSeconds: expect.any(Number) }]);
    }
  });

  it('should name a misspelt ScaledObject field when the field checker reads KEDA\'s types', () => {
    const check = createFieldChecker([{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' }]);
    const doc = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'x' }, spec: { scaleTargetRef: { name: 'x' }, maxReplicas: 3, triggers: [] } };
    expect(check(doc)).toEqual(['.spec.maxReplicas']);
    expect(check(scaledObjects[0] as unknown as Record<string, unknown>)).toEqual([]);
  });
});
