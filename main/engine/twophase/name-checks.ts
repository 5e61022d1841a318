/**
 * Whether the names a version creates are valid on the replica's OS and filesystem: no
 * two names that a case-insensitive filesystem folds together, no Windows-reserved names
 * or trailing dots and spaces on Windows, no name too long for the filesystem.
 */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const WINDOWS_FORBIDDEN = /[<>:"|?*\\]/;

export interface NameRules {
  readonly caseInsensitive: boolean;
  readonly windows: boolean;
  /** Longest name in bytes (most filesystems: 255). */
  readonly maxNameBytes: number;
}

/**
 * The first problem with the names of `paths` (every path that exists after the version,
 * or at least those it adds), or undefined when all are valid.
 */
export function nameProblem(paths: readonly string[], rules: NameRules): string | undefined {
  const folded = new Map<string, string>();
  for (const p of paths) {
    for (const seg of p.split('/')) {
      if (Buffer.byteLength(seg) > rules.maxNameBytes)
        return `the name "${seg.slice(0, 40)}…" is longer than ${rules.maxNameBytes} bytes`;
      if (rules.windows) {
        if (WINDOWS_RESERVED.test(seg)) return `"${seg}" is a reserved name on Windows`;
        if (/[. ]$/.test(seg)) return `"${seg}" ends with a dot or a space, which Windows drops`;
        if (WINDOWS_FORBIDDEN.test(seg)) return `"${seg}" has a character Windows does not allow`;
      }
    }
    if (rules.caseInsensitive) {
      const key = p.normalize('NFC').toLowerCase();
      const other = folded.get(key);
      if (other !== undefined && other !== p)
        return `"${p}" and "${other}" differ only in case, and this filesystem ignores case`;
      folded.set(key, p);
    }
  }
  return undefined;
}
