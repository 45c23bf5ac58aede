import { existsSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import tmp from 'tmp-promise';

// Remove every scratch directory when the process exits, even on failure.
tmp.setGracefulCleanup();

/** tmpfs when the machine has one: images are many and short-lived. */
function scratchRoot(): string {
  const fromEnv = process.env['SCRATCH_DIR'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  try {
    if (existsSync('/dev/shm')) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // Fall back to the ordinary temporary directory.
  }
  return tmpdir();
}

/** A fresh directory that is removed with everything in it by `cleanup`. */
export async function scratchDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  return tmp.dir({ prefix: `diffsuite-${prefix}-`, tmpdir: scratchRoot(), unsafeCleanup: true });
}

/** scratchDir made at once, for a caller that starts a process before its next await. */
export function scratchDirSync(prefix: string): { path: string; cleanup: () => Promise<void> } {
  const dir = tmp.dirSync({ prefix: `diffsuite-${prefix}-`, tmpdir: scratchRoot(), unsafeCleanup: true });
  return { path: dir.name, cleanup: async () => dir.removeCallback() };
}
