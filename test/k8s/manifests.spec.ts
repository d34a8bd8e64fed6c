/**
 * Deployment descriptors against the Kubernetes schemas and against the apps themselves.
 *
 * - Every YAML document under k8s/ (kustomization files aside) is validated with the schema of its
 *   apiVersion/kind bundled in kubernetes-models (an unknown kind fails), and, because those schemas
 *   accept unknown fields, its field names are also checked against kubernetes-models' TypeScript
 *   types (a misspelt `livenesProbe` would otherwise pass and be dropped by the API server).
 * - Kustomizations list files that exist; the example Secret stays out of the base.
 * - Each Deployment, and each service in docker-compose.yml, is checked against its app: the port
 *   default of the app's envSchema, only variables the envSchema declares, every required one
 *   provided, and the resolved environment accepted by the app's own config loader.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { ConfigValidationError, envVariableNames, loadConfig } from '@agent-ledger/config';
import { ACTION_EVENTS_DLQ_TOPIC, ACTION_EVENTS_TOPIC, CHECKPOINTS_TOPIC, ESCALATIONS_DLQ_TOPIC, ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { ROLE_PASSWORD_VARIABLES, SERVICE_DATABASE_ROLES, TENANT_APP_ROLE } from '@agent-ledger/persistence';
import { envSchema as auditApiEnv } from '../../apps/audit-api/src/config/audit-api.config';
import { envSchema as checkpointWitnessEnv } from '../../apps/checkpoint-witness/src/config/witness.config';
import { envSchema as auditProjectorEnv } from '../../apps/audit-projector/src/config/audit-projector.config';
import { envSchema as escalationWorkerEnv } from '../../apps/escalation-worker/src/config/escalation-worker.config';
import { envSchema as ingestApiEnv } from '../../apps/ingest-api/src/config/ingest-api.config';
import { envSchema as notifierEnv } from '../../apps/notifier/src/config/notifier.config';
import { envSchema as retentionWorkerEnv } from '../../apps/retention-worker/src/config/retention.config';
import { createFieldChecker, modelFor, type KObject } from './kubernetes-schema';
import { stackPartitionCounts } from './kustomize';

const ROOT = path.resolve(__dirname, '../..');
const K8S_DIR = path.join(ROOT, 'k8s');
const BASE_DIR = path.join(K8S_DIR, 'base');

// ---- what the manifests must agree with ------------------------------------------------------

interface AppSpec {
  schema: z.ZodTypeAny;
  /** The port of docs/deployment.md (Docker Compose table); the envSchema's default must be the same. */
  port: number;
  /**
   * How it is scaled: `stateless` a fixed number (≥ 2) of replicas; `consumer` a Kafka consumer group
   * member, autoscaled up to the partition count; `singleton` one replica with its own volume
   * (Recreate, no autoscaler).
   */
  scaling: 'stateless' | 'consumer' | 'singleton';
  /** Takes traffic through its Service's virtual IP; otherwise the Service is headless (it only lists pods for scraping). */
  serves: boolean;
  /** The variable naming the directory a singleton keeps on its volume. */
  volumeDir?: string;
}

const APPS: Record<string, AppSpec> = {
  'ingest-api': { schema: ingestApiEnv, port: 3100, scaling: 'stateless', serves: true },
  'audit-api': { schema: auditApiEnv, port: 3200, scaling: 'stateless', serves: true },
  'audit-projector': { schema: auditProjectorEnv, port: 3301, scaling: 'consumer', serves: false },
  'escalation-worker': { schema: escalationWorkerEnv, port: 3302, scaling: 'consumer', serves: false },
  notifier: { schema: notifierEnv, port: 3303, scaling: 'consumer', serves: false },
  'checkpoint-witness': { schema: checkpointWitnessEnv, port: 3304, scaling: 'singleton', serves: true, volumeDir: 'WITNESS_DIR' },
  'retention-worker': { schema: retentionWorkerEnv, port: 3305, scaling: 'singleton', serves: false, volumeDir: 'ARCHIVE_DIR' },
};
const APP_NAMES = Object.keys(APPS);

/** Topics and partition counts: scripts/stack.sh's defaults (docker-compose.yml must agree); consumers never need more replicas than this. */
const TOPICS: Record<string, number> = stackPartitionCounts();
const MAX_CONSUMER_REPLICAS = Math.min(TOPICS[ACTION_EVENTS_TOPIC], TOPICS[ESCALATIONS_TOPIC]);

const IMAGE = 'agent-ledger';
const SECRET_NAME = 'agent-ledger-secrets';
const SECRET_EXAMPLE = path.join(BASE_DIR, 'secret.example.yaml');
/** The Secret of the schema's owner: the migrate Job's only, never a Deployment's. */
const OWNER_SECRET = 'agent-ledger-db-owner';
const TEST_DB_PASSWORD = 'a-test-db-password';
/** The database role each app connects as (none for the witness). */
const APP_DB_ROLES = SERVICE_DATABASE_ROLES as Record<string, string | undefined>;

/** Test values in the formats the services expect, standing in for the operator's Secret. */
const SECRET_VALUES: Record<string, string> = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    // the envSchemas' own checks (a database Secret's value is built from its example: testSecretValue)
    DATABASE_URL: `postgres://agent_ledger_ingest:${TEST_DB_PASSWORD}@postgres:5432/agent_ledger`,
    REDIS_URL: 'redis://redis:6379',
    LEDGER_ROOT_KEY: randomBytes(32).toString('base64url'),
    LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
    LEDGER_PREVIOUS_MASTER_KEYS: `${randomBytes(32).toString('base64')},${randomBytes(32).toString('base64')}`,
    LEDGER_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    LEDGER_SIGNING_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    SMTP_URL: 'smtp://mail:25',
  };
})();

const portVariable = (app: string) => `${app.toUpperCase().replace(/-/g, '_')}_PORT`;

/** Variables the app cannot start without: those `{}` fails on (no default, not optional). */
function requiredVariables(schema: z.ZodTypeAny): string[] {
  const result = schema.safeParse({});
  if (result.success) return [];
  return [...new Set(result.error.issues.filter((i) => i.path.length > 0).map((i) => String(i.path[0])))].sort();
}

/** The app's own loader (the same one main.ts calls); returns the problems instead of throwing. */
function configProblems(app: string, env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(app, APPS[app].schema, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems.map((p) => `${p.variable}: ${p.message}`);
    throw err;
  }
}

// ---- reading k8s/ ------------------------------------------------------------------------------

interface LoadedDoc {
  /** file:index, relative to the repository */
  id: string;
  file: string;
  body: KObject;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return yamlFilesUnder(full);
      return /\.ya?ml$/.test(entry) ? [full] : [];
    });
}

const isKustomization = (file: string) => /^kustomization\.ya?ml$/i.test(path.basename(file));
const rel = (file: string) => path.relative(ROOT, file);

const yamlErrors: string[] = [];
function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc, i) => {
    for (const e of doc.errors) yamlErrors.push(`${rel(file)}#${i}: ${e.message}`);
    const body = doc.toJS() as unknown;
    return body === null || body === undefined ? [] : [body];
  });
}

interface Kustomization {
  resources?: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
  replicas?: Array<{ name: string; count: number }>;
  patches?: Array<{ path?: string; patch?: string; target?: Record<string, string> }>;
  [field: string]: unknown;
}

const allYamlFiles = yamlFilesUnder(K8S_DIR);
const kustomizations = allYamlFiles
  .filter(isKustomization)
  .map((file) => ({ file, dir: path.dirname(file), body: readYamlDocuments(file)[0] as Kustomization }));

/** Files a kustomization applies as patches: partial objects, not resources. */
const patchFiles = new Set(
  kustomizations.flatMap((k) => (k.body.patches ?? []).filter((p) => p.path).map((p) => path.resolve(k.dir, p.path!))),
);

const resourceDocs: LoadedDoc[] = allYamlFiles
  .filter((f) => !isKustomization(f) && !patchFiles.has(f))
  .flatMap((file) =>
    readYamlDocuments(file).map((body, i) => ({ id: `${rel(file)}#${i}`, file, body: body as KObject })),
  );

/** Strategic-merge patches, from patch files and inline `patch:` strings (JSON 6902 lists skipped). */
const patchDocs: LoadedDoc[] = kustomizations.flatMap((k) =>
  (k.body.patches ?? []).flatMap((p, i) => {
    const bodies = p.path ? readYamlDocuments(path.resolve(k.dir, p.path)) : p.patch ? [parse(p.patch) as unknown] : [];
    return bodies
      .filter((b): b is KObject => !!b && typeof b === 'object' && !Array.isArray(b))
      .map((body, j) => ({ id: `${rel(k.file)} patches[${i}]#${j}`, file: k.file, body }));
  }),
);

const baseDocs = resourceDocs.filter((d) => d.file.startsWith(BASE_DIR + path.sep) && d.file !== SECRET_EXAMPLE);
const ofKind = <T>(kind: string, docs: LoadedDoc[] = baseDocs) =>
  docs.filter((d) => d.body.kind === kind).map((d) => d.body as unknown as T & KObject);

const deployments = ofKind<IDeployment>('Deployment');
const services = ofKind<IService>('Service');
const pdbs = ofKind<IPodDisruptionBudget>('PodDisruptionBudget');
const pvcs = ofKind<IPersistentVolumeClaim>('PersistentVolumeClaim');
const hpas = ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
const configMaps = ofKind<IConfigMap>('ConfigMap');
const secretExamples = existsSync(SECRET_EXAMPLE) ? (readYamlDocuments(SECRET_EXAMPLE) as Array<ISecret & KObject>) : [];
const secretExample = (name: string) => secretExamples.find((s) => s.metadata?.name === name);
const secretKeysOf = (name: string) => Object.keys({ ...secretExample(name)?.stringData, ...secretExample(name)?.data });
/** The role a database Secret's example URL logs in as. */
const roleOfSecret = (name: string) => {
  const url = secretExample(name)?.stringData?.DATABASE_URL;
  return url ? new URL(url).username : undefined;
};
/** A test value in the format of `key` of Secret `secret`: database URLs keep the example's role and host. */
function testSecretValue(secret: string, key: string): string | undefined {
  if (secret === SECRET_NAME) return SECRET_VALUES[key];
  if (key === 'DATABASE_PASSWORD') return TEST_DB_PASSWORD;
  const url = secretExample(secret)?.stringData?.[key];
  return url?.replace('CHANGE_ME', TEST_DB_PASSWORD);
}
const migrateJob = resourceDocs.map((d) => d.body).find((b) => b.kind === 'Job' && b.metadata?.name === 'agent-ledger-migrate') as (IJob & KObject) | undefined;
const secretRefsOf = (containers: IContainer[]) =>
  containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [{ env: e.name, secret: e.valueFrom.secretKeyRef.name ?? '', key: e.valueFrom.secretKeyRef.key }] : [])));

const deploymentOf = (app: string) => deployments.find((d) => d.metadata?.name === app);
const containerOf = (app: string): IContainer => {
  const containers = deploymentOf(app)?.spec?.template.spec?.containers ?? [];
  expect(containers).toHaveLength(1);
  return containers[0];
};

// ---- environment of a Deployment ------------------------------------------------------------------

interface ResolvedEnv {
  names: string[];
  values: Record<string, string | undefined>;
  /** dangling references: missing ConfigMap/Secret or key */
  problems: string[];
}

function resolveContainerEnv(container: IContainer, configMapData: (name: string) => Record<string, string> | undefined): ResolvedEnv {
  const names: string[] = [];
  const values: Record<string, string | undefined> = {};
  const problems: string[] = [];
  const secretValue = (secret: string, key: string) => {
    if (!secretExample(secret)) problems.push(`secret ${secret} is not in secret.example.yaml`);
    else if (!secretKeysOf(secret).includes(key)) problems.push(`key ${key} is not in ${secret} of secret.example.yaml`);
    else if (testSecretValue(secret, key) === undefined) problems.push(`the test has no value in the format of ${key}`);
    return testSecretValue(secret, key);
  };
  for (const from of container.envFrom ?? []) {
    if (from.prefix) problems.push(`envFrom prefix ${from.prefix} is not supported by this check`);
    if (from.configMapRef) {
      const data = configMapData(from.configMapRef.name ?? '');
      if (!data) problems.push(`ConfigMap ${from.configMapRef.name} does not exist`);
      for (const [key, value] of Object.entries(data ?? {})) {
        names.push(key);
        values[key] = value;
      }
    }
    if (from.secretRef) {
      for (const key of secretKeysOf(from.secretRef.name ?? '')) {
        names.push(key);
        values[key] = secretValue(from.secretRef.name ?? '', key);
      }
    }
  }
  for (const e of container.env ?? []) {
    names.push(e.name);
    const ref = e.valueFrom;
    if (ref?.secretKeyRef) values[e.name] = secretValue(ref.secretKeyRef.name ?? '', ref.secretKeyRef.key);
    else if (ref?.configMapKeyRef) {
      const data = configMapData(ref.configMapKeyRef.name ?? '');
      if (!data || !(ref.configMapKeyRef.key in data)) problems.push(`ConfigMap key ${ref.configMapKeyRef.name}/${ref.configMapKeyRef.key} does not exist`);
      values[e.name] = data?.[ref.configMapKeyRef.key];
    } else if (ref) values[e.name] = 'from-the-downward-api';
    else values[e.name] = e.value ?? '';
  }
  return { names: [...new Set(names)].sort(), values, problems };
}

const baseConfigMapData = (name: string) => configMaps.find((c) => c.metadata?.name === name)?.data;

const resolveDeploymentEnv = (app: string, cm: (name: string) => Record<string, string> | undefined = baseConfigMapData) =>
  resolveContainerEnv(containerOf(app), cm);

function namedPort(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

const podLabels = (app: string) => deploymentOf(app)?.spec?.template.metadata?.labels ?? {};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const imageRepository = (image: string) => image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');

// ================================================================================================

describe('k8s manifests', () => {
  it('should parse as YAML when every file under k8s/ is read', () => {
    expect(yamlErrors).toEqual([]);
    expect(resourceDocs.length).toBeGreaterThan(0);
  });

  describe('Kubernetes schema', () => {
    it.each(resourceDocs.map((d) => [d.id, d] as const))('should match its kind\'s schema when %s is validated', (_id, doc) => {
      const Model = modelFor(String(doc.body.apiVersion), String(doc.body.kind));
      if (!Model) throw new Error(`unknown apiVersion/kind ${doc.body.apiVersion} ${doc.body.kind}`);
      expect(() => new Model(doc.body).validate()).not.toThrow();
    });

    it('should use only fields the Kubernetes API defines when resources and patches are read', () => {
      const docs = [...resourceDocs, ...patchDocs].filter((d) => modelFor(String(d.body.apiVersion), String(d.body.kind)));
      const kinds = [...new Map(docs.map((d) => [`${d.body.apiVersion}/${d.body.kind}`, { apiVersion: String(d.body.apiVersion), kind: String(d.body.kind) }])).values()];
      const unknownFieldsOf = createFieldChecker(kinds);
      const unknown = docs.flatMap((d) => unknownFieldsOf(d.body).map((field) => `${d.id}: ${field}`));
      expect(unknown).toEqual([]);
    });
  });

  describe('kustomize', () => {
    it.each(kustomizations.map((k) => [rel(k.file), k] as const))('should list only existing files when %s names its resources', (_f, k) => {
      const missing = [...(k.body.resources ?? []), ...(k.body.patches ?? []).flatMap((p) => (p.path ? [p.path] : []))].filter((r) => {
        const full = path.resolve(k.dir, r);
        if (!existsSync(full)) return true;
        return statSync(full).isDirectory() && !['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(path.join(full, f)));
      });
      expect(missing).toEqual([]);
    });

    it('should list every base manifest but the example Secret when the base is built', () => {
      const base = kustomizations.find((k) => k.dir === BASE_DIR);
      expect(base).toBeDefined();
      const listed = (base!.body.resources ?? []).map((r) => path.resolve(BASE_DIR, r)).sort();
      const manifests = [...new Set(baseDocs.map((d) => d.file))].sort();
      expect(listed).toEqual(manifests);
      expect(listed).not.toContain(SECRET_EXAMPLE);
    });

    it('should name the image the Deployments run when a kustomization overrides images', () => {
      const used = [...new Set(deployments.flatMap((d) => d.spec?.template.spec?.containers.map((c) => imageRepository(c.image ?? '')) ?? []))];
      expect(used).toEqual([IMAGE]);
      for (const k of kustomizations) {
        for (const image of k.body.images ?? []) expect({ file: rel(k.file), name: image.name }).toEqual({ file: rel(k.file), name: IMAGE });
      }
      expect(kustomizations.find((k) => k.dir === BASE_DIR)?.body.images?.map((i) => i.name)).toEqual([IMAGE]);
    });

    it('should set replicas only of fixed-size Deployments when an overlay scales', () => {
      const autoscaled = hpas.map((h) => h.spec?.scaleTargetRef.name);
      for (const k of kustomizations) {
        for (const r of k.body.replicas ?? []) {
          expect({ file: rel(k.file), name: r.name, deployment: !!deploymentOf(r.name), autoscaled: autoscaled.includes(r.name) }).toEqual({
            file: rel(k.file),
            name: r.name,
            deployment: true,
            autoscaled: false,
          });
        }
      }
    });

    it('should only set variables the apps read and keep every app configurable when an overlay patches env or config', () => {
      const problems: string[] = [];
      for (const patch of patchDocs) {
        const { kind, metadata } = patch.body;
        if (kind === 'Deployment' && metadata?.name && APPS[metadata.name]) {
          const app = metadata.name;
          const containers = ((patch.body as unknown as IDeployment).spec?.template?.spec?.containers ?? []) as IContainer[];
          const names = containers.flatMap((c) => (c.env ?? []).map((e) => e.name));
          const allowed = envVariableNames(APPS[app].schema);
          for (const n of names.filter((n) => !allowed.includes(n))) problems.push(`${patch.id}: ${app} does not read ${n}`);
        }
        if (kind === 'ConfigMap' && metadata?.name) {
          const data = { ...baseConfigMapData(metadata.name), ...(patch.body as unknown as IConfigMap).data };
          const cm = (name: string) => (name === metadata.name ? data : baseConfigMapData(name));
          for (const app of APP_NAMES) {
            const env = resolveDeploymentEnv(app, cm);
            if (!containerOf(app).envFrom?.some((f) => f.configMapRef?.name === metadata.name)) continue;
            const allowed = envVariableNames(APPS[app].schema);
            for (const n of Object.keys(data).filter((n) => !allowed.includes(n))) problems.push(`${patch.id}: ${app} does not read ${n}`);
            for (const p of configProblems(app, env.values)) problems.push(`${patch.id}: ${app}: ${p}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('example Secrets', () => {
    const refs = () => secretRefsOf([...deployments.flatMap((d) => d.spec?.template.spec?.containers ?? []), ...(migrateJob?.spec?.template.spec?.containers ?? [])]);

    it('should define exactly the Secrets and keys the Deployments and the migrate Job reference when the operator copies them', () => {
      expect(secretExamples.map((s) => s.kind)).toEqual(secretExamples.map(() => 'Secret'));
      const defined = secretExamples.flatMap((s) => secretKeysOf(s.metadata?.name ?? '').map((k) => `${s.metadata?.name}/${k}`));
      const referenced = [...new Set(refs().map((r) => `${r.secret}/${r.key}`))];
      expect(defined.sort()).toEqual(referenced.sort());
    });

    it('should give each service its own database role and only the migrate Job the owner when the Secrets are read', () => {
      expect(deployments.flatMap((d) => secretRefsOf(d.spec?.template.spec?.containers ?? [])).filter((r) => r.secret === OWNER_SECRET)).toEqual([]);
      for (const app of APP_NAMES) {
        const dbRefs = secretRefsOf([containerOf(app)]).filter((r) => r.env === 'DATABASE_URL' || r.env === 'TENANT_DATABASE_URL');
        const roles = Object.fromEntries(dbRefs.map((r) => [r.env, roleOfSecret(r.secret)]));
        const expected: Record<string, string> = APP_DB_ROLES[app] ? { DATABASE_URL: APP_DB_ROLES[app]! } : {};
        if (app === 'audit-api') expected.TENANT_DATABASE_URL = TENANT_APP_ROLE;
        expect({ app, roles }).toEqual({ app, roles: expected });
      }
    });

    it('should migrate as the owner and set each role\'s password from that role\'s Secret when the migrate Job runs', () => {
      expect(migrateJob).toBeDefined();
      const [container] = migrateJob!.spec!.template.spec!.containers;
      expect(container.args).toEqual(['migrate']);
      expect(imageRepository(container.image ?? '')).toBe(IMAGE);
      const refs = secretRefsOf([container]);
      expect(refs.find((r) => r.env === 'DATABASE_URL')).toEqual({ env: 'DATABASE_URL', secret: OWNER_SECRET, key: 'DATABASE_URL' });
      const passwords = Object.fromEntries(refs.filter((r) => r.env !== 'DATABASE_URL').map((r) => [r.env, { secret: r.secret, key: r.key, role: roleOfSecret(r.secret) }]));
      expect(passwords).toEqual(
        Object.fromEntries(Object.entries(ROLE_PASSWORD_VARIABLES).map(([variable, role]) => [variable, { secret: expect.any(String), key: 'DATABASE_PASSWORD', role }])),
      );
    });
  });

  describe('shared ConfigMap', () => {
    it('should hold only variables every consuming app reads when loaded whole by envFrom', () => {
      const problems = APP_NAMES.flatMap((app) =>
        (containerOf(app).envFrom ?? []).flatMap((from) => {
          const data = baseConfigMapData(from.configMapRef?.name ?? '') ?? {};
          const allowed = envVariableNames(APPS[app].schema);
          return Object.keys(data).filter((k) => !allowed.includes(k)).map((k) => `${from.configMapRef?.name}.${k} is not read by ${app}`);
        }),
      );
      expect(problems).toEqual([]);
    });
  });

  describe('retention queue', () => {
    it('should queue on-demand runs under the prefix the retention worker consumes when audit-api and the worker are deployed', () => {
      const prefixOf = (app: string) => (loadConfig(app, APPS[app].schema, resolveDeploymentEnv(app).values) as Record<string, unknown>).RETENTION_QUEUE_PREFIX;
      expect(prefixOf('retention-worker')).toEqual(expect.any(String));
      expect(prefixOf('audit-api')).toBe(prefixOf('retention-worker'));
    });
  });

  describe('HorizontalPodAutoscalers', () => {
    it('should target an existing Deployment with at most one replica per partition when autoscaling', () => {
      expect(hpas.length).toBeGreaterThan(0);
      for (const h of hpas) {
        const ref = h.spec!.scaleTargetRef;
        expect({ hpa: h.metadata?.name, kind: ref.kind, apiVersion: ref.apiVersion, exists: !!deploymentOf(ref.name) }).toEqual({
          hpa: h.metadata?.name,
          kind: 'Deployment',
          apiVersion: 'apps/v1',
          exists: true,
        });
        expect(h.spec!.maxReplicas).toBeLessThanOrEqual(MAX_CONSUMER_REPLICAS);
        expect(h.spec!.minReplicas ?? 1).toBeLessThanOrEqual(h.spec!.maxReplicas);
      }
    });
  });

  describe.each(APP_NAMES)('%s', (app) => {
    const spec = APPS[app];

    it('should have a port default equal to the documented port when the envSchema is read', () => {
      const withRequired = Object.fromEntries(requiredVariables(spec.schema).map((n) => [n, SECRET_VALUES[n] ?? 'kafka:9092']));
      const config = loadConfig(app, spec.schema, withRequired) as Record<string, unknown>;
      expect(config[portVariable(app)]).toBe(spec.port);
    });

    it('should run the shared image with the app selected by args when deployed', () => {
      const container = containerOf(app);
      expect(container.name).toBe(app);
      expect(imageRepository(container.image ?? '')).toBe(IMAGE);
      expect(container.args).toEqual([app]);
      expect(container.command).toBeUndefined();
    });

    it('should expose and probe the app port when the container is declared', () => {
      const container = containerOf(app);
      expect(container.ports?.map((p) => p.containerPort)).toEqual([spec.port]);
      expect({
        liveness: [container.livenessProbe?.httpGet?.path, namedPort(container, container.livenessProbe?.httpGet?.port)],
        readiness: [container.readinessProbe?.httpGet?.path, namedPort(container, container.readinessProbe?.httpGet?.port)],
      }).toEqual({ liveness: ['/health/live', spec.port], readiness: ['/health/ready', spec.port] });
      if (container.startupProbe) expect(namedPort(container, container.startupProbe.httpGet?.port)).toBe(spec.port);
    });

    it('should reference only variables of the envSchema when the environment is assembled', () => {
      const env = resolveDeploymentEnv(app);
      expect(env.problems).toEqual([]);
      const allowed = envVariableNames(spec.schema);
      expect(env.names.filter((n) => !allowed.includes(n))).toEqual([]);
      const explicit = (containerOf(app).env ?? []).map((e) => e.name);
      expect(explicit.filter((n, i) => explicit.indexOf(n) !== i)).toEqual([]);
    });

    it('should provide every required variable when the pod starts', () => {
      const required = requiredVariables(spec.schema);
      expect(required.length).toBeGreaterThan(0);
      const { names } = resolveDeploymentEnv(app);
      expect(required.filter((n) => !names.includes(n))).toEqual([]);
    });

    it('should satisfy the envSchema and listen on 0.0.0.0 at the app port when the environment is resolved', () => {
      const { values } = resolveDeploymentEnv(app);
      expect(configProblems(app, values)).toEqual([]);
      const config = loadConfig(app, spec.schema, values) as Record<string, unknown>;
      expect({ host: config.HOST, port: config[portVariable(app)] }).toEqual({ host: '0.0.0.0', port: spec.port });
    });

    it('should give the service longer than SHUTDOWN_TIMEOUT_MS when the pod is terminated', () => {
      const config = loadConfig(app, spec.schema, resolveDeploymentEnv(app).values) as Record<string, unknown>;
      const preStop = containerOf(app).lifecycle?.preStop;
      const preStopSeconds = preStop?.exec?.command?.[0] === 'sleep' ? Number(preStop.exec.command[1]) : (preStop?.sleep?.seconds ?? 0);
      const grace = deploymentOf(app)?.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
      expect(grace * 1000).toBeGreaterThan(preStopSeconds * 1000 + Number(config.SHUTDOWN_TIMEOUT_MS));
    });

    it('should run non-root, read-only, without privilege escalation and with bounded resources when scheduled', () => {
      const pod = deploymentOf(app)?.spec?.template.spec;
      const container = containerOf(app);
      expect(container.securityContext?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
      expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
      for (const bound of ['requests', 'limits'] as const) {
        expect(Object.keys(container.resources?.[bound] ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    });

    it('should select the pods by labels when its Service and PodDisruptionBudget are applied', () => {
      const labels = podLabels(app);
      expect(selects(deploymentOf(app)?.spec?.selector.matchLabels, labels)).toBe(true);
      const matchingPdbs = pdbs.filter((p) => selects(p.spec?.selector?.matchLabels, labels));
      expect(matchingPdbs).toHaveLength(1);
      const matchingServices = services.filter((s) => selects(s.spec?.selector, labels));
      expect(matchingServices).toHaveLength(1);
    });

    it('should route to the app port and be scraped by Prometheus when its Service is discovered', () => {
      const service = services.find((s) => selects(s.spec?.selector, podLabels(app)))!;
      const container = containerOf(app);
      expect(service.spec?.ports?.map((p) => [p.port, namedPort(container, p.targetPort)])).toEqual([[spec.port, spec.port]]);
      expect(service.metadata?.annotations).toEqual(
        expect.objectContaining({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.port), 'prometheus.io/path': '/metrics' }),
      );
      // the APIs (and the witness's reads) take traffic through a virtual IP; a worker's Service only lists pods for scraping
      expect(service.spec?.clusterIP === 'None').toBe(!spec.serves);
    });

    it(spec.scaling === 'singleton'
      ? 'should run exactly one replica, recreated (not rolled) with its volume, when it owns a volume'
      : spec.scaling === 'consumer'
      ? 'should be autoscaled up to the partition count with no fixed replicas when it consumes Kafka'
      : 'should run a fixed number of stateless replicas when it serves HTTP', () => {
      const autoscalers = hpas.filter((h) => h.spec?.scaleTargetRef.name === app);
      if (spec.scaling === 'singleton') {
        expect(autoscalers).toHaveLength(0);
        expect(deploymentOf(app)?.spec?.replicas).toBe(1);
        expect(deploymentOf(app)?.spec?.strategy?.type).toBe('Recreate');
      } else if (spec.scaling === 'consumer') {
        expect(autoscalers).toHaveLength(1);
        expect(autoscalers[0].spec?.maxReplicas).toBe(MAX_CONSUMER_REPLICAS);
        expect(deploymentOf(app)?.spec?.replicas).toBeUndefined();
      } else {
        expect(autoscalers).toHaveLength(0);
        expect(deploymentOf(app)?.spec?.replicas).toBeGreaterThanOrEqual(2);
      }
    });

    it(spec.volumeDir
      ? `should keep ${spec.volumeDir} on a PersistentVolumeClaim of the base, writable by its user, when it owns a volume`
      : 'should mount no PersistentVolumeClaim when it keeps no state of its own', () => {
      const pod = deploymentOf(app)?.spec?.template.spec;
      const claims = (pod?.volumes ?? []).filter((v) => v.persistentVolumeClaim);
      if (!spec.volumeDir) return expect(claims).toEqual([]);
      expect(claims).toHaveLength(1);
      const claimName = claims[0].persistentVolumeClaim!.claimName;
      expect(pvcs.map((p) => p.metadata?.name)).toContain(claimName);
      const mount = containerOf(app).volumeMounts?.find((m) => m.name === claims[0].name);
      expect({ mountPath: mount?.mountPath, readOnly: mount?.readOnly ?? false }).toEqual({ mountPath: resolveDeploymentEnv(app).values[spec.volumeDir], readOnly: false });
      expect(pod?.securityContext?.fsGroup).toBe(pod?.securityContext?.runAsGroup);
    });
  });
});

// ---- Dockerfile ------------------------------------------------------------------------------------

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const runtimeEnv: Record<string, string> = Object.fromEntries(
  runtimeStage
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^ENV\s/.test(l))
    .flatMap((l) => [...l.slice(4).matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1], m[2]])),
);

describe('Dockerfile', () => {
  it('should run the runtime stage on node:22-bookworm-slim (a supported LTS) as a numeric non-root user when the image is built', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    expect(runtimeStage).toMatch(/^\nFROM \$\{NODE_IMAGE\} AS runtime/);
    const user = [...runtimeStage.matchAll(/^USER\s+(\S+)/gm)].pop()?.[1] ?? '';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    for (const d of deployments) {
      const runAsUser = d.spec?.template.spec?.securityContext?.runAsUser;
      if (runAsUser !== undefined) expect(String(runAsUser)).toBe(user.split(':')[0]);
    }
  });

  it('should bind 0.0.0.0 in production mode when a container starts', () => {
    expect(runtimeEnv).toEqual(expect.objectContaining({ HOST: '0.0.0.0', NODE_ENV: 'production', APP: '${APP}' }));
  });

  it('should select every app by name and start it through scripts/run-service.sh when the container command names it', () => {
    const pattern = runtimeStage.match(/^\s*((?:[a-z-]+\|)+[a-z-]+)\)\s*$/m)?.[1].split('|') ?? [];
    expect(pattern.sort()).toEqual([...APP_NAMES].sort());
    expect(runtimeStage).toContain('exec sh /app/scripts/run-service.sh "$@"');
    expect(runtimeStage).toContain('COPY scripts/run-service.sh ./scripts/run-service.sh');
    // The launcher accepts exactly the same apps and runs each one's built entry point.
    const launcher = readFileSync(path.join(ROOT, 'scripts', 'run-service.sh'), 'utf8');
    expect(launcher.match(/^\s*((?:[a-z-]+\|)+[a-z-]+)\)/m)?.[1].split('|').sort()).toEqual([...APP_NAMES].sort());
    expect(launcher).toContain('"$root/dist/apps/$app/src/main.js"');
  });
});

// ---- docker-compose.yml ------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string | number> | string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string };
  volumes?: string[];
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};

/** Compose interpolation with an empty shell: `${X:-default}` → default; `${X}` alone is an error. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (match, name: string, fallback?: string) => {
    if (match === '$$') return '$';
    if (fallback === undefined) throw new Error(`${name} has no default: docker compose up would need it set`);
    return fallback;
  });
}

function composeEnv(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const pairs = Array.isArray(env) ? env.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]) : Object.entries(env).map(([k, v]) => [k, String(v)] as [string, string]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v ?? '')]));
}

describe('docker-compose.yml', () => {
  it('should declare the infrastructure, the one-shot jobs and the seven services when parsed', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['kafka', 'kafka-topics', 'postgres', 'redis', 'mailpit', 'migrate', ...APP_NAMES].sort(),
    );
    expect(compose.services.kafka.image).toBe('apache/kafka:3.9.1');
    expect(compose.services.postgres.image).toMatch(/^postgres:15(\b|$)/);
    expect(compose.services.redis.image).toMatch(/^redis:7(\b|$)/);
    expect(compose.services.mailpit.image).toMatch(/^axllent\/mailpit:/);
  });

  it('should create every topic with its partition count when the stack starts', () => {
    expect(Object.keys(TOPICS).sort()).toEqual([ACTION_EVENTS_TOPIC, ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_TOPIC, ESCALATIONS_DLQ_TOPIC, CHECKPOINTS_TOPIC].sort());
    const script = [compose.services['kafka-topics'].command ?? []].flat().join('\n');
    const created = Object.fromEntries(
      [...script.matchAll(/--create\b[^\n]*?--topic\s+(\S+)\s+--partitions\s+(\d+)/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(created).toEqual(TOPICS);
    expect(compose.services['kafka-topics'].depends_on?.kafka?.condition).toBe('service_healthy');
  });

  it('should persist Redis with AOF and never evict when the stack starts', () => {
    const command = [compose.services.redis.command ?? []].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });

  it('should migrate PostgreSQL with the persistence CLI when the stack starts', () => {
    const migrate = compose.services.migrate;
    expect(migrate.command).toEqual(['node', 'dist/libs/persistence/src/cli/migrate.js']);
    expect(Object.keys(composeEnv(migrate))).toEqual([
      'NODE_ENV',
      'DATABASE_URL',
      'INGEST_DATABASE_PASSWORD',
      'PROJECTOR_DATABASE_PASSWORD',
      'WORKER_DATABASE_PASSWORD',
      'NOTIFIER_DATABASE_PASSWORD',
      'API_DATABASE_PASSWORD',
      'TENANT_DATABASE_PASSWORD',
      'RETENTION_DATABASE_PASSWORD',
    ]);
    expect(migrate.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('should queue on-demand retention runs under the prefix the retention worker consumes when the stack starts', () => {
    const prefixOf = (app: string) =>
      (loadConfig(app, APPS[app].schema, { ...runtimeEnv, ...composeEnv(compose.services[app]) }) as Record<string, unknown>).RETENTION_QUEUE_PREFIX;
    expect(prefixOf('retention-worker')).toEqual(expect.any(String));
    expect(prefixOf('audit-api')).toBe(prefixOf('retention-worker'));
  });

  describe.each(APP_NAMES)('%s', (app) => {
    const spec = APPS[app];
    const service = () => compose.services[app];

    it('should build the shared image and select the app by command when started', () => {
      expect(service().build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(imageRepository(service().image ?? '')).toBe(IMAGE);
      expect(service().command).toEqual([app]);
    });

    it('should publish and health-check the app port when the service runs', () => {
      const containerPorts = (service().ports ?? []).map((p) => Number(String(p).split(':').pop()));
      expect(containerPorts).toEqual([spec.port]);
      expect([service().healthcheck?.test ?? []].flat().join(' ')).toContain(`:${spec.port}/health/ready`);
    });

    it('should set only variables of the envSchema, every required one, and a valid environment when the service starts', () => {
      const env = composeEnv(service());
      const allowed = envVariableNames(spec.schema);
      expect(Object.keys(env).filter((n) => !allowed.includes(n))).toEqual([]);
      expect(requiredVariables(spec.schema).filter((n) => !(n in env))).toEqual([]);
      const resolved = { ...runtimeEnv, ...env };
      expect(configProblems(app, resolved)).toEqual([]);
      const config = loadConfig(app, spec.schema, resolved) as Record<string, unknown>;
      expect({ host: config.HOST, port: config[portVariable(app)] }).toEqual({ host: '0.0.0.0', port: spec.port });
    });

    it('should connect as its own database role with the password migrate sets when the service starts', () => {
      const url = composeEnv(service()).DATABASE_URL;
      const role = APP_DB_ROLES[app];
      if (!role) return expect(url).toBeUndefined();
      const raw = String((service().environment as Record<string, string>).DATABASE_URL);
      const variable = raw.match(/\$\{([A-Z_]+_DATABASE_PASSWORD):-/)?.[1];
      expect({ user: new URL(url).username, roleOfVariable: ROLE_PASSWORD_VARIABLES[variable as keyof typeof ROLE_PASSWORD_VARIABLES] }).toEqual({ user: role, roleOfVariable: role });
      expect(new URL(url).password).toBe(composeEnv(compose.services.migrate)[variable!]);
    });

    it(spec.volumeDir
      ? `should keep ${spec.volumeDir} on a named volume when the service runs with a read-only root filesystem`
      : 'should mount no volume when it keeps no state of its own', () => {
      const mounts = (service().volumes ?? []).map((v) => String(v).split(':'));
      if (!spec.volumeDir) return expect(mounts).toEqual([]);
      expect(mounts).toHaveLength(1);
      const [volume, target] = mounts[0];
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
      expect(target).toBe(composeEnv(service())[spec.volumeDir]);
    });

    it('should wait for healthy infrastructure, created topics and applied migrations when starting', () => {
      if (!APP_DB_ROLES[app]) {
        // no database and no Redis (the witness): Kafka only
        expect(service().depends_on).toEqual({ kafka: { condition: 'service_healthy' }, 'kafka-topics': { condition: 'service_completed_successfully' } });
        return;
      }
      expect(service().depends_on).toEqual(
        expect.objectContaining({
          kafka: { condition: 'service_healthy' },
          postgres: { condition: 'service_healthy' },
          redis: { condition: 'service_healthy' },
          'kafka-topics': { condition: 'service_completed_successfully' },
          migrate: { condition: 'service_completed_successfully' },
        }),
      );
    });
  });
});
