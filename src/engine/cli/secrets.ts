import fs from 'node:fs';
import readline from 'node:readline';
import { StationError } from '../../shared/errors.js';
import type { Output } from './output.js';

/**
 * Reads a secret without putting it on the command line: from a file, from piped stdin, or from a prompt
 * that does not echo. A literal value still works but warns that other local users can see it (ps, history).
 */
export async function readSecret(options: { literal?: string; file?: string; envValue?: string; prompt: string; out: Output; what: string }): Promise<string> {
  if (options.literal !== undefined) {
    options.out.warn(`a ${options.what} given on the command line is visible to other local users (ps, shell history). Prefer --key-file, stdin or the environment.`);
    return options.literal.trim();
  }
  if (options.file) {
    try {
      return fs.readFileSync(options.file, 'utf8').trim();
    } catch (error) {
      throw new StationError('USAGE', `Cannot read ${options.what} from ${options.file}: ${(error as Error).message}`);
    }
  }
  if (options.envValue) return options.envValue.trim();
  if (!process.stdin.isTTY) return (await readAll(process.stdin)).trim();
  return promptHidden(options.prompt);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const mutable = rl as unknown as { _writeToOutput: (text: string) => void };
    process.stderr.write(prompt);
    mutable._writeToOutput = () => {};
    // Ctrl-C at the prompt: leave like any interrupted command (readline would otherwise just pause the input
    // and the process would end with Node's "unsettled top-level await" code 13).
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      process.exit(130);
    });
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
