export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  /** The operator's root key (tenant administration); absent: root endpoints answer 401. */
  rootKey?: string;
  /** How long a verified key is remembered; revocations are also pushed over Redis. */
  cacheTtlMs: number;
}
