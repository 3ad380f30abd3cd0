/**
 * The real `polymq` binary (node dist/src/cli/main.js) against a child broker: topics, send (flag and stdin),
 * consume (text/json, --from, --group), groups, status, errors, and `stop`.
 */
import { spawn } from 'node:child_process';
import { CLI_PATH, startBrokerProcess, type ChildBroker } from '../helpers/broker';

let child: ChildBroker;
let brokerAddr: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function polymq(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...process.env, POLYMQ_BROKER: brokerAddr, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) p.stdin.end(stdin);
    else p.stdin.end();
  });
}

beforeAll(async () => {
  child = await startBrokerProcess();
  brokerAddr = `127.0.0.1:${child.ports.native}`;
});

afterAll(async () => {
  if (child.process.exitCode === null) await child.stop();
});

test('topics create, list, describe, delete', async () => {
  expect((await polymq(['topics', 'create', 'cli-t', '--partitions', '3', '--retention-ms', '60000'])).code).toBe(0);
  const list = await polymq(['topics', 'list', '--format', 'json']);
  expect(list.code).toBe(0);
  expect((JSON.parse(list.stdout) as { name: string }[]).map((t) => t.name)).toContain('cli-t');
  const d = await polymq(['topics', 'describe', 'cli-t']);
  expect(d.stdout).toContain('partitions 3');
  const again = await polymq(['topics', 'create', 'cli-t']);
  expect(again.code).not.toBe(0);
  expect(again.stderr.trim().split('\n')).toHaveLength(1);
  expect(again.stderr).toContain('ALREADY_EXISTS');
  expect((await polymq(['topics', 'delete', 'cli-t'])).code).toBe(0);
});

test('send with --message and from stdin, consume as text and json', async () => {
  await polymq(['topics', 'create', 'cli-msgs']);
  const one = await polymq(['send', '--topic', 'cli-msgs', '--key', 'k1', '--message', 'hello', '--headers', 'a=1,b=two']);
  expect(one.code).toBe(0);
  expect(one.stdout.trim()).toBe('cli-msgs/0@0');
  const many = await polymq(['send', '--topic', 'cli-msgs'], 'l1\nl2\nl3\n');
  expect(many.stdout.trim().split('\n')).toEqual(['cli-msgs/0@1', 'cli-msgs/0@2', 'cli-msgs/0@3']);

  const text = await polymq(['consume', '--topic', 'cli-msgs', '--from', 'earliest', '--count', '4']);
  expect(text.code).toBe(0);
  expect(text.stdout.trim().split('\n')).toEqual(['hello', 'l1', 'l2', 'l3']);

  const json = await polymq(['consume', '--topic', 'cli-msgs', '--from', 'offset:0', '--count', '1', '--format', 'json']);
  const rec = JSON.parse(json.stdout.trim()) as { key: string; value: string; headers: Record<string, string>; offset: number };
  expect(rec).toMatchObject({ key: 'k1', value: 'hello', offset: 0, headers: { a: '1', b: 'two' } });

  const tail = await polymq(['consume', '--topic', 'cli-msgs', '--from', 'offset:2', '--idle-timeout', '300']);
  expect(tail.stdout.trim().split('\n')).toEqual(['l2', 'l3']);
  const future = await polymq(['consume', '--topic', 'cli-msgs', '--from', `time:${new Date(Date.now() + 3_600_000).toISOString()}`, '--idle-timeout', '300']);
  expect(future.stdout.trim()).toBe('');
});

test('consume with a group commits; groups list, describe and reset-offsets', async () => {
  await polymq(['topics', 'create', 'cli-g', '--partitions', '2']);
  await polymq(['send', '--topic', 'cli-g', '--quiet'], 'a\nb\nc\nd\n');
  const first = await polymq(['consume', '--topic', 'cli-g', '--group', 'cg', '--count', '4']);
  expect(first.stdout.trim().split('\n').sort()).toEqual(['a', 'b', 'c', 'd']);
  const none = await polymq(['consume', '--topic', 'cli-g', '--group', 'cg', '--idle-timeout', '300']);
  expect(none.stdout.trim()).toBe('');
  expect(JSON.parse((await polymq(['groups', 'list', '--format', 'json'])).stdout)).toContain('cg');
  const g = JSON.parse((await polymq(['groups', 'describe', 'cg', '--format', 'json'])).stdout) as { lag: { lag: number }[] };
  expect(g.lag.reduce((s, l) => s + l.lag, 0)).toBe(0);
  const reset = await polymq(['groups', 'reset-offsets', 'cg', '--topic', 'cli-g', '--to', 'earliest', '--format', 'json']);
  expect(reset.code).toBe(0);
  const replay = await polymq(['consume', '--topic', 'cli-g', '--group', 'cg', '--count', '4']);
  expect(replay.stdout.trim().split('\n').sort()).toEqual(['a', 'b', 'c', 'd']);
});

test('status as table and json; errors are one line with a non-zero exit', async () => {
  const s = await polymq(['status', '--format', 'json']);
  expect(s.code).toBe(0);
  const status = JSON.parse(s.stdout) as { listeners: { protocol: string; port: number }[] };
  expect(status.listeners.find((l) => l.protocol === 'native')?.port).toBe(child.ports.native);
  const t = await polymq(['status']);
  expect(t.stdout).toContain('LISTENER');
  const bad = await polymq(['send', '--topic', 'missing-topic', '--message', 'x']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/^polymq: UNKNOWN_TOPIC: .*\n$/);
  const unreachable = await polymq(['status', '--broker', '127.0.0.1:1']);
  expect(unreachable.code).not.toBe(0);
  expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
});

test('stop shuts the broker down gracefully', async () => {
  const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
  const r = await polymq(['stop', '--timeout', '10']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(await exited).toBe(0);
});
