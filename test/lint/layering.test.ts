import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layering rules of eslint.config.js, proved on deliberately bad snippets linted as if they lived at
 * those paths (the files do not exist; ESLint picks the rules by path).
 */
const repo = path.resolve(import.meta.dirname, '../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repo, overrideConfigFile: path.join(repo, 'eslint.config.js') });
});

async function layeringMessages(code: string, file: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports' || message.ruleId === 'no-restricted-globals');
}

describe('layering lint rules', () => {
  it.each([
    ['the engine importing electron', "import { app } from 'electron';\nexport const name = app.getName();\n", 'src/engine/vision/bad.ts', /Only src\/main and src\/preload may import electron/],
    ['the engine importing react', "import { useState } from 'react';\nexport const hook = useState;\n", 'src/engine/store/bad.ts', /UI code belongs in src\/renderer/],
    ['the engine reaching into the shell', "import { isAppUrl } from '../../main/app-origin.js';\nexport const ok = isAppUrl('x');\n", 'src/engine/sync/bad.ts', /does not depend on the shell/],
    ['the engine touching the DOM', 'export const title = document.title;\n', 'src/engine/cli/bad.ts', /No DOM in the engine/],
    ['shared importing node:fs', "import fs from 'node:fs';\nexport const exists = fs.existsSync('/');\n", 'src/shared/bad.ts', /src\/shared must run anywhere: no Node builtins/],
    ['shared importing fs without the node: prefix', "import { readFileSync } from 'fs';\nexport const read = readFileSync;\n", 'src/shared/bad.ts', /no Node builtins/],
    ['shared importing electron', "import { ipcRenderer } from 'electron';\nexport const ipc = ipcRenderer;\n", 'src/shared/bad.ts', /Only src\/main and src\/preload may import electron/],
    ['shared using process', 'export const home = process.env.HOME;\n', 'src/shared/bad.ts', /No Node globals in src\/shared/],
    ['the renderer importing node:fs', "import fs from 'node:fs';\nexport const files = fs.readdirSync('/');\n", 'src/renderer/screens/Bad.tsx', /The renderer is sandboxed: no Node builtins/],
    ['the renderer importing child_process', "import { exec } from 'child_process';\nexport const run = exec;\n", 'src/renderer/bad.ts', /no Node builtins/],
    ['the renderer importing electron', "import { ipcRenderer } from 'electron';\nexport const ipc = ipcRenderer;\n", 'src/renderer/bad.ts', /Only src\/main and src\/preload may import electron/],
    ['the renderer importing the engine', "import { runDoctor } from '../engine/doctor.js';\nexport const doctor = runDoctor;\n", 'src/renderer/bad.ts', /only through the contract/],
  ])('flags %s', async (_label, code, file, message) => {
    const messages = await layeringMessages(code, file);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.map((entry) => entry.message).join('\n')).toMatch(message);
    expect(messages.every((entry) => entry.severity === 2)).toBe(true);
  });

  it.each([
    ['the shell importing electron', "import { app } from 'electron';\nexport const name = app.getName();\n", 'src/main/good.ts'],
    ['the preload importing electron', "import { contextBridge } from 'electron';\nexport const bridge = contextBridge;\n", 'src/preload/good.ts'],
    ['the engine importing node:fs and shared', "import fs from 'node:fs';\nimport { parseClassId } from '../../shared/class-id.js';\nexport const both = [fs.existsSync, parseClassId];\n", 'src/engine/store/good.ts'],
    ['the renderer importing react and the contract', "import { useState } from 'react';\nimport type { StationApi } from '../shared/contract.js';\nexport const use = (api: StationApi) => [useState, api];\n", 'src/renderer/good.tsx'],
  ])('allows %s', async (_label, code, file) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
    expect(result!.messages).toEqual([]);
  });
});
