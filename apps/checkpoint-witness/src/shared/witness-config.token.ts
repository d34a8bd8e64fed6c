/** Injection token of the witness's {@link WitnessConfig} (parsed once at boot). */
export const WITNESS_CONFIG = Symbol('WITNESS_CONFIG');
