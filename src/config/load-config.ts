import { config as loadDotenv } from 'dotenv';
import { EnvironmentVariables, validateEnvironment } from './environment-variables';

/** Reads `.env` (never overriding the real environment) and validates everything once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvironmentVariables {
  loadDotenv({ quiet: true });
  return validateEnvironment(env);
}
