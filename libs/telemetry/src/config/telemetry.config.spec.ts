import { readTelemetryConfig } from './telemetry.config';

describe(readTelemetryConfig.name, () => {
  it('should read the endpoint and protocol when OTLP over HTTP/JSON is configured', () => {
    expect(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({
      disabled: false,
      exporter: 'otlp',
      otlpEndpoint: 'http://127.0.0.1:4318',
      protocol: 'http/json',
    });
  });

  it('should default to OTLP over HTTP/protobuf without an endpoint when nothing is set', () => {
    expect(readTelemetryConfig({})).toEqual({ disabled: false, exporter: 'otlp', otlpEndpoint: undefined, protocol: 'http/protobuf' });
  });

  it('should prefer the traces-specific variables when both are set', () => {
    const cfg = readTelemetryConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    });
    expect(cfg).toMatchObject({ otlpEndpoint: 'http://b:4318/v1/traces', protocol: 'http/json' });
  });

  it('should name every wrong variable when the protocol, exporter and endpoint are invalid', () => {
    expect(() => readTelemetryConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"[\s\S]*OTEL_TRACES_EXPORTER: "zipkin"[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318"/,
    );
  });

  it('should not check the other variables when the SDK is disabled', () => {
    expect(readTelemetryConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).disabled).toBe(true);
  });
});
