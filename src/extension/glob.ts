// Glob patterns of the help.exclude setting, matched against workspace-relative or absolute paths. Pure.
// Supported: ** (any folders), * and ? (within a folder), {a,b} alternatives, [abc] classes.

function toRegExpSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches any number of folders (also none); a trailing "**" matches anything.
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) {
        out += '\\{';
        continue;
      }
      out += `(?:${glob
        .slice(i + 1, close)
        .split(',')
        .map(toRegExpSource)
        .join('|')})`;
      i = close;
    } else if (c === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      out += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = close;
    } else out += /[.+^$()|\\]/.test(c) ? `\\${c}` : c;
  }
  return out;
}

/** A matcher for a glob; a pattern without "/" matches a file name in any folder (as files.exclude does
 *  for "**" prefixed patterns). */
export function globMatcher(glob: string): (path: string) => boolean {
  const g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  const re = new RegExp(`^${toRegExpSource(g.includes('/') ? g : `**/${g}`)}$`);
  return (p) => {
    const norm = p.replace(/\\/g, '/');
    // Relative patterns match a suffix of an absolute path at a folder boundary.
    if (re.test(norm)) return true;
    for (let i = norm.indexOf('/'); i >= 0; i = norm.indexOf('/', i + 1)) if (re.test(norm.slice(i + 1))) return true;
    return false;
  };
}

/** True when `path` matches any of the globs. */
export function isExcluded(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globMatcher(g)(path));
}
