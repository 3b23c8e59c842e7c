import { runCommand } from './commands.js';
import { CliFailure } from './gateway-http.js';
import { EXIT, UsageError, type CliIo } from './io.js';
import { HELP, parseCli } from './options.js';
import { cliVersion } from './version.js';

/** Runs one CLI invocation and returns its exit code. Output goes through `io`. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const options = parseCli(argv, io);
    json = options.json;
    if (options.help || options.command === 'help') {
      io.out(HELP);
      return EXIT.ok;
    }
    if (options.version || options.command === 'version') {
      io.out(`wxnotify ${cliVersion()}`);
      return EXIT.ok;
    }
    const result = await runCommand(options, io);
    if (json) io.out(JSON.stringify(result.json));
    else for (const line of result.text) (result.exitCode === EXIT.ok ? io.out : io.err)(line);
    return result.exitCode;
  } catch (error) {
    const [exitCode, message, details] =
      error instanceof UsageError
        ? [EXIT.usage, `usage: ${error.message} (wxnotify --help)`, {}]
        : error instanceof CliFailure
          ? [error.exitCode, error.message, error.details]
          : [EXIT.failed, `unexpected error: ${(error as Error)?.message ?? String(error)}`, {}];
    if (json) io.out(JSON.stringify({ ok: false, exitCode, error: message, ...details }));
    else io.err(`error: ${message}`);
    return exitCode;
  }
}
