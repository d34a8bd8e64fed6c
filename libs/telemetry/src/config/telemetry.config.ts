/**
 * OpenTelemetry settings, read from the standard OTEL_* variables (docs/observability.md). The
 * SDK reads the others itself (sampler, batch processor, resource attributes, limits).
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TelemetryConfig {
  disabled: boolean;
  /** `none`: spans are created (trace context still propagates) but never exported. */
  exporter: 'otlp' | 'console' | 'none';
  /** OTLP endpoint (the base, or the traces URL); when unset, nothing is exported over OTLP. */
  otlpEndpoint?: string;
  protocol: OtlpProtocol;
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const EXPORTERS = ['otlp', 'console', 'none'] as const;

/** Reads and checks the variables; throws one error naming every variable that is wrong. */
export function readTelemetryConfig(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  const problems: string[] = [];
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (!PROTOCOLS.includes(protocol as OtlpProtocol)) {
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported (use ${PROTOCOLS.join(' or ')})`);
  }
  const exporter = (env.OTEL_TRACES_EXPORTER || 'otlp').trim();
  if (!(EXPORTERS as readonly string[]).includes(exporter)) problems.push(`OTEL_TRACES_EXPORTER: "${exporter}" is not one of ${EXPORTERS.join(', ')}`);
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  if (otlpEndpoint && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint)) problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT: "${otlpEndpoint}" is not an http(s) URL`);
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  if (problems.length && !disabled) throw new Error(`invalid OpenTelemetry settings:\n  ${problems.join('\n  ')}`);
  return { disabled, exporter: exporter as TelemetryConfig['exporter'], otlpEndpoint, protocol: protocol as OtlpProtocol };
}
