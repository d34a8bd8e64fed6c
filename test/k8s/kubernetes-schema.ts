/**
 * The schemas and TypeScript interfaces of Kubernetes kinds (kubernetes-models) and of KEDA's
 * (@kubernetes-models/keda), for the manifest tests of test/k8s.
 */
import * as path from 'node:path';
import * as kedaModels from '@kubernetes-models/keda';
import * as k8sModels from 'kubernetes-models';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** The package holding the TypeScript interface of an apiVersion's kinds. */
const typesPackage = (apiVersion: string) => (apiVersion.startsWith('keda.sh/') ? '@kubernetes-models/keda' : 'kubernetes-models');

interface ModelClass {
  new (data: object): { validate(): void };
  apiVersion: string;
  kind: string;
}

/**
 * kubernetes-models exports `apps.v1.Deployment`, `v1.ConfigMap`, `networkingK8sIo.v1.Ingress`...;
 * @kubernetes-models/keda `kedaSh.v1alpha1.ScaledObject` (KEDA's CRD schemas).
 */
export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const registry = { ...k8sModels, ...kedaModels } as unknown as Record<string, Record<string, unknown> | undefined>;
  const groupKey = group?.replace(/\.([a-z])/g, (_, c: string) => c.toUpperCase());
  const versionNs = (group ? registry[groupKey!]?.[version] : registry[version]) as Record<string, unknown> | undefined;
  const model = versionNs?.[kind] as ModelClass | undefined;
  return typeof model === 'function' && model.apiVersion === apiVersion && model.kind === kind ? model : undefined;
}

/**
 * The JSON schemas bundled in kubernetes-models do not reject unknown fields; the API server does
 * (kubectl's default --validate=strict). This walks a document along kubernetes-models' TypeScript
 * interface for its kind and names every field the interface does not have.
 */
export function createFieldChecker(kinds: Array<{ apiVersion: string; kind: string }>) {
  const fileName = path.join(ROOT, 'test/k8s/__kubernetes-model-types__.ts');
  const source = kinds
    .map((k, i) => `import type { I${k.kind} as T${i} } from '${typesPackage(k.apiVersion)}/${k.apiVersion}/${k.kind}';\nexport declare const v${i}: T${i};`)
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, languageVersion) : getSourceFile.call(host, name, languageVersion, ...rest);
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? source : readFile.call(host, name));
  const program = ts.createProgram([fileName], options, host);
  const checker = program.getTypeChecker();
  const declarations = program.getSourceFile(fileName)!.statements.filter(ts.isVariableStatement);
  const typeByKind = new Map<string, ts.Type>();
  kinds.forEach((k, i) => {
    const type = checker.getTypeAtLocation(declarations[i].declarationList.declarations[0].name);
    if (!checker.getPropertyOfType(type, 'kind')) throw new Error(`no TypeScript interface for ${k.apiVersion} ${k.kind}`);
    typeByKind.set(`${k.apiVersion}/${k.kind}`, type);
  });

  const objectFields = (value: object, type: ts.Type, at: string): string[] =>
    Object.entries(value).flatMap(([key, v]) => {
      // strategic-merge directives of kustomize patches ($patch: delete, $setElementOrder/...)
      if (key.startsWith('$')) return [];
      const prop = checker.getPropertyOfType(type, key);
      if (prop) return unknownFields(v, checker.getTypeOfSymbol(prop), `${at}.${key}`);
      const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
      return index ? unknownFields(v, index, `${at}.${key}`) : [`${at}.${key}`];
    });

  const unknownFields = (value: unknown, declared: ts.Type, at: string): string[] => {
    if (value === null || typeof value !== 'object') return [];
    const type = checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    if (Array.isArray(value)) {
      const element = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
      return element ? value.flatMap((v, i) => unknownFields(v, element, `${at}[${i}]`)) : [];
    }
    const candidates = type.isUnion() ? type.types.filter((t) => t.flags & ts.TypeFlags.Object) : [type];
    if (candidates.length === 0) return [];
    return candidates.map((t) => objectFields(value, t, at)).reduce((best, next) => (next.length < best.length ? next : best));
  };

  return (doc: KObject) => unknownFields(doc, typeByKind.get(`${doc.apiVersion}/${doc.kind}`)!, '');
}

