// What every subcommand gets from the entry point: the environment and how to talk to the operator.
export interface CommandContext {
  env: NodeJS.ProcessEnv;
  /** One line on stderr, prefixed `shellgate: `. */
  say: (line: string) => void;
  /** Text on stdout (usage, listings); returns 0, the status of a command that only prints. */
  print: (text: string) => number;
}
