/** OpenTelemetry settings, read from the standard OTEL_* variables. */
export interface TelemetryConfig {
  /** OTLP/HTTP endpoint; when unset, spans are created (so trace context propagates) but not exported. */
  otlpEndpoint?: string;
  disabled: boolean;
}

export function readTelemetryConfig(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  return {
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined,
    disabled: env.OTEL_SDK_DISABLED === 'true',
  };
}
