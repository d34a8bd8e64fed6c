/**
 * The events ingest is working on: from the moment a request is taken (before validation) until it
 * is answered. A request that would take the count past `maxEvents` is refused at once, before
 * anything of it is copied, redacted or serialized, so the heap holds at most that many events'
 * working copies however many requests arrive (docs/resilience.md#ingest-under-a-kafka-hiccup-bounded-never-a-backlog). A request larger
 * than the whole budget is still taken when nothing else is in progress.
 */
export class IngestAdmission {
  private inProgress = 0;

  constructor(private readonly maxEvents: number) {}

  /** Events taken and not yet answered. */
  get events(): number {
    return this.inProgress;
  }

  /** Takes `events` into the budget and returns the function that gives them back, or undefined when the budget is spent. */
  admit(events: number): (() => void) | undefined {
    if (this.inProgress > 0 && this.inProgress + events > this.maxEvents) return undefined;
    this.inProgress += events;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inProgress -= events;
    };
  }
}
