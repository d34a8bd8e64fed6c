import { PRODUCER_EVENT_TYPES, validateActionEvent, validateActionEventInput } from '@agent-ledger/contracts';
import { anActionEvent, anActionEventInput } from './builders';

describe('event builders', () => {
  it.each(PRODUCER_EVENT_TYPES)('should build a valid %s when asked', (type) => {
    const input = anActionEventInput({ type });
    expect(validateActionEventInput(input)).toEqual({ ok: true, value: expect.anything() });
    const stored = anActionEvent('7d3f0c52-9a4e-4f7e-9a55-0f6f2f1b8d11', { type });
    expect(validateActionEvent(stored)).toEqual({ ok: true, value: expect.anything() });
  });
});
