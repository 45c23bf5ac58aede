import { scratchDir } from '../images/scratch.ts';

/** A scratch directory for one case, always removed afterwards. */
export async function withCaseDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await scratchDir('case');
  try {
    return await use(dir.path);
  } finally {
    await dir.cleanup();
  }
}
