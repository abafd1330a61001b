// Leaving the process with a status once stdout and stderr have taken everything written to them
// (process.exit alone may cut a pipe's pending output short).
export function exitWhenFlushed(status: number): void {
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(status);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
