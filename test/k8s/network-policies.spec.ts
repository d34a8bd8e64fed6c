/**
 * NetworkPolicies of the base (as rendered): everything denied by default; each app reaches only
 * what its configuration says it connects to (Kafka, PostgreSQL, Redis, the witness) plus DNS; only
 * the notifier reaches SMTP relays and webhook receivers; each app accepts traffic on its own port.
 */
import * as path from 'node:path';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { z } from 'zod';
import { envVariableNames } from '@agent-ledger/config';
import { envSchema as auditApiEnv } from '../../apps/audit-api/src/config/audit-api.config';
import { envSchema as auditProjectorEnv } from '../../apps/audit-projector/src/config/audit-projector.config';
import { envSchema as checkpointWitnessEnv } from '../../apps/checkpoint-witness/src/config/witness.config';
import { envSchema as escalationWorkerEnv } from '../../apps/escalation-worker/src/config/escalation-worker.config';
import { envSchema as ingestApiEnv } from '../../apps/ingest-api/src/config/ingest-api.config';
import { envSchema as notifierEnv } from '../../apps/notifier/src/config/notifier.config';
import { envSchema as retentionWorkerEnv } from '../../apps/retention-worker/src/config/retention.config';
import { K8S_DIR, kustomizeBuild } from './kustomize';

const SCHEMAS: Record<string, z.ZodTypeAny> = {
  'ingest-api': ingestApiEnv,
  'audit-api': auditApiEnv,
  'audit-projector': auditProjectorEnv,
  'escalation-worker': escalationWorkerEnv,
  notifier: notifierEnv,
  'checkpoint-witness': checkpointWitnessEnv,
  'retention-worker': retentionWorkerEnv,
};

/** Where a variable of an app's configuration connects to, and the TCP ports that takes. */
const DESTINATIONS: Record<string, { variable: string; ports: string[] }> = {
  kafka: { variable: 'KAFKA_BROKERS', ports: ['TCP 9092-9095'] },
  postgresql: { variable: 'DATABASE_URL', ports: ['TCP 5432'] },
  redis: { variable: 'REDIS_URL', ports: ['TCP 6379'] },
  witness: { variable: 'LEDGER_WITNESS_URL', ports: ['TCP 3304 to checkpoint-witness'] },
};
/** Only the notifier talks to the outside world: SMTP relays and webhook receivers. */
const NOTIFIER_OUTSIDE = ['TCP 25', 'TCP 465', 'TCP 587', 'TCP 443 to public addresses', 'TCP 80 to public addresses'];
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '127.0.0.0/8'];

const rendered = kustomizeBuild(path.join(K8S_DIR, 'base'));
const policies = rendered.filter((d) => d.kind === 'NetworkPolicy') as unknown as INetworkPolicy[];
const deployments = rendered.filter((d) => d.kind === 'Deployment') as unknown as IDeployment[];
const policyOf = (app: string) => policies.filter((p) => p.spec?.podSelector.matchLabels?.['app.kubernetes.io/name'] === app);

type EgressRule = NonNullable<NonNullable<INetworkPolicy['spec']>['egress']>[number];
/** One string per (rule, port): "TCP 5432", "TCP 3304 to checkpoint-witness", "TCP 443 to public addresses". */
function describeEgress(rule: EgressRule): string[] {
  const to = rule.to ?? [];
  const where = to.length === 0
    ? ''
    : to.every((t) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] && !t.namespaceSelector)
    ? ` to ${to.map((t) => t.podSelector!.matchLabels!['app.kubernetes.io/name']).join(',')}`
    : to.every((t) => t.ipBlock && (t.ipBlock.cidr === '0.0.0.0/0' ? PRIVATE_RANGES.every((r) => t.ipBlock!.except?.includes(r)) : t.ipBlock.cidr === '::/0' && (t.ipBlock.except ?? []).includes('fc00::/7')))
    ? ' to public addresses'
    : ` to ${JSON.stringify(to)}`;
  return (rule.ports ?? [{}]).map((p) => `${p.protocol ?? 'TCP'} ${p.port ?? 'any'}${p.endPort ? `-${p.endPort}` : ''}${where}`);
}

describe('NetworkPolicies', () => {
  it('should deny all traffic in and out of every pod by default when the base is applied', () => {
    const deny = policies.find((p) => p.metadata?.name === 'default-deny');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('should let every pod resolve names through the cluster DNS only when it looks up a host', () => {
    const dns = policies.find((p) => p.metadata?.name === 'allow-dns');
    expect(dns?.spec?.podSelector).toEqual({});
    expect(dns?.spec?.ingress).toBeUndefined();
    expect(dns?.spec?.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
    ]);
  });

  describe.each(Object.keys(SCHEMAS))('%s', (app) => {
    it('should have exactly one policy of its own selecting its pods when deployed', () => {
      const labels = deployments.find((d) => d.metadata?.name === app)?.spec?.template.metadata?.labels ?? {};
      const own = policyOf(app);
      expect(own.map((p) => p.metadata?.name)).toEqual([app]);
      expect(labels['app.kubernetes.io/name']).toBe(app);
      expect(own[0].spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    });

    it('should reach only what its configuration connects to when it opens a connection', () => {
      const variables = envVariableNames(SCHEMAS[app]);
      const expected = Object.values(DESTINATIONS).filter((d) => variables.includes(d.variable)).flatMap((d) => d.ports);
      if (app === 'notifier') expected.push(...NOTIFIER_OUTSIDE);
      const allowed = (policyOf(app)[0].spec?.egress ?? []).flatMap(describeEgress);
      expect(allowed.sort()).toEqual(expected.sort());
    });

    it('should accept traffic only on its own port when something connects to it', () => {
      const port = deployments.find((d) => d.metadata?.name === app)?.spec?.template.spec?.containers[0].ports?.[0].containerPort;
      const ingress = policyOf(app)[0].spec?.ingress ?? [];
      expect(ingress.flatMap((r) => (r.ports ?? [{}]).map((p) => p.port))).toEqual([port]);
    });
  });

  it('should open no destination outside the infrastructure except for the notifier when egress is listed', () => {
    const outside = policies
      .filter((p) => p.metadata?.name !== 'notifier' && p.metadata?.name !== 'allow-dns')
      .flatMap((p) => (p.spec?.egress ?? []).flatMap(describeEgress).filter((e) => / to public addresses| to \[|any/.test(e)).map((e) => `${p.metadata?.name}: ${e}`));
    expect(outside).toEqual([]);
  });
});
