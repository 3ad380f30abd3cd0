/**
 * README examples are real code: each lives in test/docs/examples/, is compiled with the rest, appears verbatim
 * in README.md between its markers, and runs here against a real broker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { tempDir } from '../helpers/util';
import { embedded } from './examples/embedding';
import { quickstart } from './examples/sdk-quickstart';
import { replayPartition } from './examples/sdk-replay';

const REPO = path.resolve(__dirname, '../../..');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

function snippet(file: string, name: string): string {
  const text = fs.readFileSync(path.join(REPO, 'test/docs/examples', file), 'utf8');
  const m = new RegExp(`// readme:start ${name}\\n([\\s\\S]*?)// readme:end`).exec(text);
  if (!m) throw new Error(`no readme markers for ${name} in ${file}`);
  return m[1].trimEnd();
}

describe('README examples', () => {
  let b: InProcessBroker;
  beforeAll(async () => {
    b = await startBroker();
    process.env.POLYMQ_BROKER = `127.0.0.1:${b.ports.native}`;
  });
  afterAll(async () => {
    delete process.env.POLYMQ_BROKER;
    await b.stop();
  });

  it.each([
    ['sdk-quickstart.ts', 'sdk-quickstart'],
    ['sdk-replay.ts', 'sdk-replay'],
    ['embedding.ts', 'embedding'],
  ])('README.md shows %s verbatim', (file, name) => {
    expect(README).toContain(snippet(file, name));
  });

  it('the SDK quick start produces and consumes in a group, per-key order kept', async () => {
    const seen = await quickstart();
    expect(seen).toHaveLength(10);
    for (let c = 0; c < 3; c++) {
      const mine = seen.filter((s) => s.startsWith(`customer-${c} `)).map((s) => Number(/order (\d+)/.exec(s)?.[1]));
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
  });

  it('replays a partition from a timestamp and again from an offset', async () => {
    const lines = await replayPartition('orders', 0, 0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^0: order \d+$/);
  });

  it('embeds a broker', async () => {
    expect(await embedded(tempDir())).toBe(4);
  });
});
