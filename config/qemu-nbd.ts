import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The qemu-nbd that goes with a qemu-img: the one beside it (a backport
 * unpacked under .qemu/, a build directory), else the first on PATH;
 * undefined when there is none. qemu-utils installs all three together.
 */
export function qemuNbdBeside(qemuImg: string, path = process.env['PATH'] ?? ''): string | undefined {
  if (qemuImg.includes('/')) {
    const beside = join(dirname(qemuImg), 'qemu-nbd');
    if (executable(beside)) return beside;
  }
  return path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'qemu-nbd'))
    .find(executable);
}
