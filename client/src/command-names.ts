// The client's command line as far as the first word after its gateway options, in a module that
// imports nothing: the gateway's entry point reads it to decide whether to load the client at all.
export const CLIENT_COMMANDS = ['exec', 'attach', 'ls', 'kill', 'logs', 'share'] as const;
export type ClientCommand = (typeof CLIENT_COMMANDS)[number];

/** Where the gateway is and how to prove who we are: every subcommand reads them (args.ts). */
export const GATEWAY_OPTIONS = {
  url: { type: 'string' },
  'token-file': { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

export function isClientCommand(name: string | undefined): name is ClientCommand {
  return CLIENT_COMMANDS.some((command) => command === name);
}

function gatewayOption(arg: string): { type: 'string' | 'boolean' } | undefined {
  if (!arg.startsWith('--')) return undefined;
  const name = arg.slice(2).split('=', 1)[0] ?? '';
  return Object.hasOwn(GATEWAY_OPTIONS, name)
    ? GATEWAY_OPTIONS[name as keyof typeof GATEWAY_OPTIONS]
    : undefined;
}

/**
 * `shellgate [GATEWAY OPTIONS] COMMAND [ARGS…]`: the gateway options may come before the command,
 * as `docker -H` and `kubectl --server` take theirs, so an alias such as `sg='shellgate --url …'`
 * works with every command. They are moved to the front of the command's own arguments, where it
 * reads them (and where `exec` still reads them: its options end at PROFILE, after them).
 * `command` is the first word after them, undefined when there is none.
 */
export function splitCommandLine(argv: readonly string[]): { command: string | undefined; args: string[] } {
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index] ?? '';
    const option = gatewayOption(arg);
    if (option === undefined) break;
    index += option.type === 'string' && !arg.includes('=') ? 2 : 1;
  }
  return { command: argv[index], args: [...argv.slice(0, index), ...argv.slice(index + 1)] };
}
