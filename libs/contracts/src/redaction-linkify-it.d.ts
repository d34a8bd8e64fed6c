/** The part of linkify-it (no bundled types) the free-text PII detector uses. */
declare module 'linkify-it' {
  interface Match {
    schema: string;
    index: number;
    lastIndex: number;
    raw: string;
  }
  class LinkifyIt {
    constructor(schemas?: Record<string, unknown>, options?: { fuzzyLink?: boolean; fuzzyEmail?: boolean; fuzzyIP?: boolean });
    match(text: string): Match[] | null;
  }
  export = LinkifyIt;
}
