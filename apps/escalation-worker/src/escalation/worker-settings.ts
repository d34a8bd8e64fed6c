export const WORKER_SETTINGS = Symbol('WORKER_SETTINGS');

export interface WorkerSettings {
  groupId: string;
  sessionTimeoutMs: number;
  redisPrefix: string;
  timerPollMs: number;
  settingsCacheMs: number;
}
