/** Whether the process runs in production (NODE_ENV=production): a service then refuses an owner's connection. */
export const productionRuntime = (env: NodeJS.ProcessEnv = process.env): boolean => env.NODE_ENV === 'production';
