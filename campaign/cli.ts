import { ConfigError } from '../config/config-error.ts';
import { parseCampaignOptions, USAGE } from './options.ts';
import { CampaignControl, runCampaign } from './run-campaign.ts';

const REPEAT_WINDOW_MS = 1_000;

/**
 * `npm run campaign -- [options] [property…]`: the main job. Bad input is
 * one line naming the flag or variable and the fix (exit 2), never a stack.
 */
async function main(): Promise<number> {
  const options = parseCampaignOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const control = new CampaignControl();
  let interrupts = 0;
  let lastSignal = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // One Ctrl-C can arrive twice: from the terminal and relayed by npm.
    if (Date.now() - lastSignal < REPEAT_WINDOW_MS) return;
    lastSignal = Date.now();
    interrupts++;
    if (interrupts === 1) control.requestStop();
    else if (interrupts === 2) control.requestAbort();
    else process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await runCampaign(options, process.env, { write: (t) => process.stdout.write(t), isTTY: process.stdout.isTTY === true, columns: () => process.stdout.columns }, control);
  return result.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`campaign: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
