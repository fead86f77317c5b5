// Atomic file replacement: the content goes to a temporary file in the same folder (same file system, so
// the rename cannot degrade into a copy), is flushed to disk (fsync), and is then renamed over the target.
// A reader sees the old file or the new one, never a half-written one; a crash or an error before the
// rename leaves the old file untouched (and the temporary file is removed when we still can).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The temporary name used for `file`: hidden, in the same folder, unique per process and call. */
export function tempPathFor(file: string): string {
  const dir = path.dirname(file);
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

export function writeFileAtomicSync(file: string, content: string | Uint8Array): void {
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never created or already renamed */
    }
    throw e;
  }
  // Make the rename itself durable (best effort: not every platform can open a folder).
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* e.g. Windows */
  }
}
