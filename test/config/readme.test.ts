import fs from 'node:fs';
import path from 'node:path';
import { renderConfigTable } from '../../src/cli/config-table';

const README = path.resolve(__dirname, '../../../README.md');

describe('README', () => {
  it('holds the configuration table exactly as the options declare it', () => {
    // When this fails: paste the output of `node -e "console.log(require('./dist/src/cli/config-table').renderConfigTable())"`.
    expect(fs.readFileSync(README, 'utf8')).toContain(renderConfigTable());
  });

  it('keeps the quick start and the test command', () => {
    const text = fs.readFileSync(README, 'utf8');
    expect(text).toContain('npm install && npm start');
    expect(text).toContain('npm test');
  });
});
