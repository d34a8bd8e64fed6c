// The topic prefix: the one setting the contracts read from the environment, when they load, because
// the topic names derived from it are constants of the process.

/** Environment variable: a namespace put before every topic name and default consumer group id (empty by default). */
export const TOPIC_PREFIX_VARIABLE = 'KAFKA_TOPIC_PREFIX';
/** What a prefix may hold: the characters of a Kafka topic name, at most 64 of them. */
const TOPIC_PREFIX_PATTERN = /^[A-Za-z0-9._-]{0,64}$/;

/**
 * The topic prefix `value` stands for, or an error naming the variable. With a prefix, several
 * ledgers (a staging and a production system, a team's sandbox, parallel test runs) share one Kafka
 * cluster without reading each other's messages: every service, the CLI and the SDK of one ledger
 * must run with the same prefix.
 */
export function topicPrefixOf(value: string | undefined): string {
  const prefix = value ?? '';
  if (!TOPIC_PREFIX_PATTERN.test(prefix)) {
    throw new Error(`${TOPIC_PREFIX_VARIABLE} must be at most 64 of the characters a Kafka topic name may hold (A-Z a-z 0-9 . _ -), e.g. "staging."; got ${JSON.stringify(prefix.slice(0, 80))}`);
  }
  return prefix;
}

/** The prefix of this process, read once when the module loads (topic names are fixed for the process's lifetime). */
export const TOPIC_PREFIX = topicPrefixOf(typeof process === 'undefined' ? undefined : process.env[TOPIC_PREFIX_VARIABLE]);
