/** What scripts can rely on: 0 all good, 1 findings or a failed call, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI explains in one line and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_FINDINGS,
    readonly body?: unknown,
  ) {
    super(message);
  }
}
