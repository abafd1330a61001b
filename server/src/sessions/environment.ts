// The child's environment is built, never inherited: only allow-listed variables of the gateway's
// own environment, then the configured `env.set`, then the profile's `env`. Tokens, TLS paths and
// whatever else the gateway was started with stay out; clients cannot add anything.
export interface EnvironmentConfig {
  allow: readonly string[];
  set: Readonly<Record<string, string>>;
}

export function childEnvironment(
  config: EnvironmentConfig,
  profileEnv: Readonly<Record<string, string>> | undefined,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of config.allow) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, config.set, profileEnv);
  return env;
}
