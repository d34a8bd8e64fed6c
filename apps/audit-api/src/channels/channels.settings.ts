/** Settings of the channels feature (from audit-api's configuration). */
export interface ChannelsSettings {
  /** Hosts, IPs or CIDRs webhook endpoints may point at although not public (LEDGER_WEBHOOK_ALLOWLIST). */
  allowlist: string[];
  requireHttps: boolean;
  /** How long a rotated-out secret keeps signing by default. */
  secretGraceSeconds: number;
}

export const CHANNELS_SETTINGS = Symbol('CHANNELS_SETTINGS');
