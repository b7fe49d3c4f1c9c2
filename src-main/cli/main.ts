// The `netmon` command line: parses the verb and hands over to its command.
import { createLogger } from '../engine/log.js';

const log = createLogger('cli');

/** Runs `netmon ARGS…` and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [verb] = argv;
  log.error(`unknown command: ${verb ?? '(none)'}`);
  return Promise.resolve(2);
}
