import { IngestAdmission } from './ingest-admission';

describe(IngestAdmission.name, () => {
  it('should refuse a request when it would take the events in progress past the budget', () => {
    const admission = new IngestAdmission(250);
    const first = admission.admit(100);
    const second = admission.admit(100);
    expect(first && second).toBeDefined();
    expect(admission.admit(100)).toBeUndefined();
    expect(admission.inProgress).toBe(200);
  });

  it('should take requests again once earlier ones are answered, each counted back once', () => {
    const admission = new IngestAdmission(150);
    const release = admission.admit(100)!;
    expect(admission.admit(100)).toBeUndefined();
    release();
    release();
    expect(admission.inProgress).toBe(0);
    expect(admission.admit(100)).toBeDefined();
  });

  it('should take a request larger than the budget when nothing else is in progress', () => {
    const admission = new IngestAdmission(50);
    expect(admission.admit(1_000)).toBeDefined();
    expect(admission.admit(1)).toBeUndefined();
  });
});
