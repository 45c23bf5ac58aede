import { ConfigError } from './config-error.ts';

/**
 * Splits CANDIDATE="cmd args" into words. Quotes group words; nothing is
 * expanded, because the result is run without a shell.
 */
export function splitCommand(variable: string, text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) {
    throw new ConfigError(variable, `has an unclosed ${quote} quote; close it or drop it.`);
  }
  if (inWord) words.push(current);
  if (words.length === 0) {
    throw new ConfigError(variable, 'is set but empty; give a command such as CANDIDATE="/path/to/tool".');
  }
  return words;
}
