// Imported first by main.ts: the OpenTelemetry SDK must patch modules before they load.
import { startTelemetry } from '@agent-ledger/telemetry';

startTelemetry('retention-worker');
