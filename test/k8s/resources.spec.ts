/**
 * The benchmarked services' resource requests and limits are the capacity model's, computed from the
 * measured per-event CPU and peak RSS (tools/capacity/measurements.json, from docs/performance.md):
 * after a new benchmark, update measurements.json and the Deployments together.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { podResources, SERVICES, type Measurements } from '../../tools/capacity/capacity-model';
import { K8S_DIR, kustomizeBuild, ROOT } from './kustomize';

const measurements = JSON.parse(readFileSync(path.join(ROOT, 'tools/capacity/measurements.json'), 'utf8')) as Measurements;
const deployments = kustomizeBuild(path.join(K8S_DIR, 'base')).filter((d) => d.kind === 'Deployment') as unknown as IDeployment[];

describe('resources from the benchmark', () => {
  it.each(SERVICES)('should request and limit what the capacity model derives for %s when scheduled', (app) => {
    const container = deployments.find((d) => d.metadata?.name === app)?.spec?.template.spec?.containers[0];
    expect(container?.resources).toEqual(podResources(measurements, app));
  });
});
