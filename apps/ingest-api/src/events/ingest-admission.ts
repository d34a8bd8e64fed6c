/**
 * A budget of work in progress — events, or bytes of request bodies — from the moment a request is
 * taken until it is answered. A request that would take the count past `max` is refused at once
 * (ingest answers 503 ingest_overloaded with Retry-After), before anything of it is read, copied,
 * redacted or serialized, so the heap holds a bounded amount of request data however many requests
 * arrive (docs/resilience.md#ingest-under-a-kafka-hiccup-bounded-never-a-backlog). A request larger
 * than the whole budget is still taken when nothing else is in progress.
 */
export class IngestAdmission {
  private taken = 0;

  constructor(private readonly max: number) {}

  /** Amount taken and not yet given back. */
  get inProgress(): number {
    return this.taken;
  }

  /** Takes `amount` into the budget and returns the function that gives it back (once), or undefined when the budget is spent. */
  admit(amount: number): (() => void) | undefined {
    if (this.taken > 0 && this.taken + amount > this.max) return undefined;
    this.taken += amount;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.taken -= amount;
    };
  }
}
