// The client's subcommands, by name, in a module that imports nothing: the gateway's entry point
// reads it to decide whether to load the client at all.
export const CLIENT_COMMANDS = ['exec', 'attach', 'ls', 'kill', 'logs', 'share'] as const;
export type ClientCommand = (typeof CLIENT_COMMANDS)[number];

export function isClientCommand(name: string | undefined): name is ClientCommand {
  return CLIENT_COMMANDS.some((command) => command === name);
}
