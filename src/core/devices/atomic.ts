// Atomic file replacement, the one implementation every write of a device, samples or weights file uses:
// the content goes to a temporary file in the same folder (same file system, so the rename cannot degrade
// into a copy), is flushed to disk (fsync), and is then renamed over the target. A reader sees the old file
// or the new one, never a half-written one; a crash or an error before the rename leaves the old file
// untouched. The temporary name is unpredictable and created exclusively without following a symlink (a
// planted link cannot redirect the write); it is removed on failure, and temporary files that a killed
// writer left behind are removed by the next write of the same target.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../spaces/space';
import { neutraliseForDisplay } from '../text/safeText';

/** Temporary names keep at most this much of the target's name (so that they stay within NAME_MAX). */
const TEMP_BASE_CHARS = 100;

function tempPrefix(file: string): string {
  return `.${path.basename(file).slice(0, TEMP_BASE_CHARS)}.`;
}

/** The temporary name used for `file`: hidden, in the same folder, with the writer's pid and 64 random bits. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `${tempPrefix(file)}${process.pid}.${crypto.randomBytes(8).toString('hex')}.tmp`);
}

/** Errors that say the output path itself is wrong (bad input), with what to tell the user. */
const PATH_PROBLEMS: Record<string, (file: string) => string> = {
  EISDIR: () => 'it is a folder',
  ENOENT: (file) => `the folder ${path.dirname(file)} does not exist`,
  ENOTDIR: () => 'a part of the path is not a folder',
  EACCES: () => 'permission denied',
  EPERM: () => 'permission denied',
  EROFS: () => 'the file system is read-only',
  ENAMETOOLONG: () => 'the name is too long',
  ELOOP: () => 'too many symbolic links',
  EEXIST: () => 'it exists and cannot be replaced',
  ENOTEMPTY: () => 'it is a folder',
};

/** One clear line for a failed write: a SpecError (exit 2 in the CLI) when the path is the problem. */
function writeError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const shown = neutraliseForDisplay(file);
  const problem = code ? PATH_PROBLEMS[code] : undefined;
  if (problem) return new SpecError(`cannot write ${shown}: ${neutraliseForDisplay(problem(file))} (${code})`);
  return new Error(`cannot write ${shown}: ${(e as Error).message.split('\n')[0]}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files of `file` left by writers that no longer run (killed between write and rename). */
function removeStaleTemps(file: string): void {
  const prefix = tempPrefix(file);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const parts = name.slice(prefix.length, -'.tmp'.length).split('.');
    if (parts.length !== 2 || !/^\d{1,10}$/.test(parts[0]) || !/^[0-9a-f]{8,16}$/.test(parts[1])) continue;
    const pid = Number(parts[0]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      fs.unlinkSync(path.join(path.dirname(file), name));
    } catch {
      /* removed by someone else */
    }
  }
}

/**
 * Refuses an output path that cannot be written, before the work that produces its content (an adaptation,
 * a measurement of minutes): a folder, a missing folder, or a parent that is not a folder. The write itself
 * still reports anything else.
 */
export function checkOutputPath(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(file, e);
    let dir: fs.Stats;
    try {
      dir = fs.statSync(path.dirname(file));
    } catch (e2) {
      throw writeError(file, e2);
    }
    if (!dir.isDirectory()) throw writeError(file, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }));
    return;
  }
  if (st.isDirectory()) throw writeError(file, Object.assign(new Error('is a folder'), { code: 'EISDIR' }));
}

// O_NOFOLLOW is POSIX only; O_EXCL alone already refuses an existing name, a symlink included.
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

export function writeFileAtomicSync(file: string, content: string | Uint8Array): void {
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, CREATE_FLAGS, 0o644);
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
    throw writeError(file, e);
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
  removeStaleTemps(file);
}
