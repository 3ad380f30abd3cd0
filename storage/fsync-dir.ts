/** Makes a new (or renamed) file's directory entry durable: without it a crash can forget the file existed. */
import fs from 'node:fs';

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
