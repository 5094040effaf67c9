// Which package lists a path, held compactly: a dpkg host lists ~50,000 program and library paths
// (~4 MB of text). One V8 string and one Map entry per path cost ~130 bytes each (~7 MB of heap, kept
// for the dashboard's lifetime). Here a directory's entries are packed into one string,
// "\nNAME\0PKG\nNAME\0PKG\n" (PKG the package's number), keyed by the directory: one string and one Map
// entry per directory (~7,500), each path's directory written once. A lookup is one Map get and one
// indexOf over the directory's string (the largest, /usr/lib/x86_64-linux-gnu, ~25 KB); the answer is
// exactly that of a Map from whole paths: the first package that listed a path owns it.

/** Names with a newline or NUL cannot be packed (or looked up) unambiguously; dpkg never lists them. */
const UNPACKABLE = /[\n\0]/;
/** The recent answers kept (most processes share a few executables), bounded by the paths' characters. */
const MEMO_CHARS = 256 * 1024;

export class PathOwners {
  private constructor(private readonly dirs: ReadonlyMap<string, string>, private readonly packages: readonly string[], readonly size: number) {}

  static builder(): PathOwnersBuilder {
    return new PathOwnersBuilder((dirs, packages, size) => new PathOwners(dirs, packages, size));
  }

  private readonly memo = new Map<string, string | undefined>();
  private memoChars = 0;

  /** The package that listed `path` first, or undefined. */
  get(path: string): string | undefined {
    if (this.memo.has(path)) return this.memo.get(path);
    const pkg = this.find(path);
    this.memoChars += path.length;
    if (this.memoChars > MEMO_CHARS) { this.memo.clear(); this.memoChars = path.length; }
    this.memo.set(path, pkg);
    return pkg;
  }

  private find(path: string): string | undefined {
    const slash = path.lastIndexOf('/');
    if (slash < 0) return undefined;
    const packed = this.dirs.get(path.slice(0, slash));
    if (packed === undefined) return undefined;
    const name = path.slice(slash + 1);
    if (UNPACKABLE.test(name)) return undefined;
    const at = packed.indexOf(`\n${name}\0`);
    if (at < 0) return undefined;
    const from = at + name.length + 2;
    return this.packages[Number(packed.slice(from, packed.indexOf('\n', from)))];
  }

  /** Characters held in the packed strings and directory keys (one byte each for ASCII paths). */
  chars(): number {
    let n = 0;
    for (const [dir, packed] of this.dirs) n += dir.length + packed.length;
    return n;
  }
}

export class PathOwnersBuilder {
  private readonly dirs = new Map<string, Map<string, number>>();
  private readonly packages: string[] = [];
  private readonly packageIds = new Map<string, number>();
  private count = 0;

  constructor(private readonly make: (dirs: Map<string, string>, packages: string[], size: number) => PathOwners) {}

  /** Record that `pkg` lists `dir`/`name` (the first package to list a path keeps it). */
  add(dir: string, name: string, pkg: string): void {
    if (UNPACKABLE.test(name)) return;
    let names = this.dirs.get(dir);
    if (!names) this.dirs.set(dir, (names = new Map()));
    if (names.has(name)) return;
    let id = this.packageIds.get(pkg);
    if (id === undefined) { id = this.packages.length; this.packages.push(pkg); this.packageIds.set(pkg, id); }
    names.set(name, id);
    this.count++;
  }

  build(): PathOwners {
    const packed = new Map<string, string>();
    for (const [dir, names] of this.dirs) {
      const parts: string[] = [''];
      for (const [name, id] of names) parts.push(`${name}\0${id}`);
      parts.push('');
      // join builds one flat string: nothing of the per-name strings stays reachable from it
      packed.set(dir, parts.join('\n'));
    }
    this.dirs.clear();
    return this.make(packed, this.packages, this.count);
  }
}
