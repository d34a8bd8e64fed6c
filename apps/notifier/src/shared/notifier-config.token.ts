/** Injection token of the notifier's {@link NotifierConfig} (parsed once at boot). */
export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');
