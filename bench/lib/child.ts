import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/** Runs a compiled bench script in its own process and returns its last stdout line parsed as JSON. */
export async function runJsonChild<T>(script: string, args: string[], timeoutMs = 600_000): Promise<T> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  readline.createInterface({ input: child.stdout }).on('line', (l) => (last = l));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${script} exited ${code}`);
  return JSON.parse(last) as T;
}

/** Starts a bench script that prints "ready" and holds resources until its stdin closes. */
export async function holdChild(script: string, args: string[]): Promise<{ release(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (l) => l === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
  return {
    async release() {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}
