import { ConfigError } from '../config/config-error.ts';
import { announce, loadSuiteContext } from '../config/suite-context.ts';

/** Validates the environment once and says which candidate runs. */
export default async function setup(): Promise<void> {
  try {
    const context = await loadSuiteContext(process.env);
    console.log(announce(context));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
