// THE one list of toolchain and environment directories: places under a home directory where honest
// tools put programs (virtualenvs, language version managers, editor remote servers, notebooks). A
// hidden directory in a path counts as "hidden" unless it is one of these. The process rules (H11, H20)
// and the persistence judge (C1, user units) share it. Pure: no I/O.

/** Hidden directories that are toolchains as a whole (anything below them is that tool's). */
const HIDDEN_TOOLCHAINS = new Set([
  // Python
  '.venv', '.virtualenvs', '.conda', '.pyenv', '.poetry', '.pixi', '.tox', '.nox', '.ipython', '.jupyter', '.mamba',
  // JavaScript
  '.nvm', '.npm', '.npm-global', '.yarn', '.bun', '.deno', '.volta', '.fnm', '.pnpm-store',
  // Rust, Go, Haskell, OCaml, Lean, Julia, Nim, Elixir, .NET, JVM
  '.cargo', '.rustup', '.ghcup', '.cabal', '.stack', '.opam', '.elan', '.julia', '.juliaup', '.nimble', '.mix', '.hex',
  '.dotnet', '.nuget', '.m2', '.gradle', '.sdkman', '.sbt', '.ivy2', '.coursier',
  // Ruby, version managers
  '.rbenv', '.rvm', '.gem', '.asdf', '.linuxbrew', '.nix-profile',
  // Editors and remote development servers
  '.vscode', '.vscode-server', '.vscode-server-insiders', '.vscode-remote', '.cursor-server', '.windsurf-server',
  '.vscodium-server', '.positron-server', '.jetbrains', '.emacs.d', '.vim', '.tmux',
  // Shell frameworks and tools that install into the home
  '.local', '.oh-my-zsh', '.fzf', '.acme.sh', '.git', '.docker', '.krew', '.wasmtime', '.foundry', '.platformio',
  '.arduino15', '.espressif', '.terraform.d', '.matlab', '.mathematica', '.wine',
]);

/**
 * Toolchains below a hidden directory that is not one as a whole: ~/.cache holds Poetry's virtualenvs and
 * Corepack's package managers, but also whatever a dropper unpacks there.
 */
const NESTED_TOOLCHAINS: Record<string, Set<string>> = {
  '.cache': new Set(['pypoetry', 'pip', 'uv', 'pre-commit', 'bazel', 'bazelisk', 'go-build', 'ms-playwright', 'JetBrains',
    'node', 'yarn', 'pnpm', 'deno', 'puppeteer', 'selenium', 'coursier', 'pants', 'nix', 'huggingface', 'torch',
    'conda', 'hatch', 'pdm', 'cibuildwheel', 'typescript', 'vscode-cpptools', 'rstudio']),
  '.config': new Set(['nvm', 'yarn', 'JetBrains', 'Code', 'coc', 'nvim', 'composer', 'fish']),
};

/** Non-hidden directory names that hold a virtual environment or a language's installed tools. */
const ENVIRONMENT_DIRS = new Set(['venv', 'env', '.venv', 'virtualenv', 'virtualenvs', 'site-packages', 'node_modules',
  'miniconda3', 'miniconda', 'anaconda3', 'anaconda', 'miniforge3', 'mambaforge', 'micromamba', 'conda', 'envs', 'go', 'perl5']);

/** Whether `component` (a hidden directory name) at index i of `parts` is a toolchain directory. */
function toolchainAt(parts: readonly string[], i: number): boolean {
  const c = parts[i];
  if (HIDDEN_TOOLCHAINS.has(c)) return true;
  if (c === '.bin' && parts[i - 1] === 'node_modules') return true;
  const nested = NESTED_TOOLCHAINS[c];
  return nested !== undefined && nested.has(parts[i + 1] ?? '');
}

/**
 * Hidden directory components of `path` that are not toolchains, outermost first. The last component
 * (the file itself) is left out unless `includeLast`: a hidden file name alone is not a hidden directory.
 * A component below an accepted toolchain directory is still judged: ~/.local/share/.x/miner is hidden.
 */
export function hiddenDirs(path: string, includeLast = false): string[] {
  const parts = path.split('/');
  const last = includeLast ? parts.length : parts.length - 1;
  const out: string[] = [];
  for (let i = 1; i < last; i++) {
    const c = parts[i];
    if (c.length < 2 || !c.startsWith('.') || c === '..') continue;
    if (toolchainAt(parts, i)) { if (NESTED_TOOLCHAINS[c]) i++; continue; }
    out.push(c);
  }
  return out;
}

/** The first hidden, non-toolchain directory of a path as a path prefix ("/home/abc/.x"), or null. */
export function firstHiddenDir(path: string, includeLast = false): string | null {
  const parts = path.split('/');
  const last = includeLast ? parts.length : parts.length - 1;
  for (let i = 1; i < last; i++) {
    const c = parts[i];
    if (c.length < 2 || !c.startsWith('.') || c === '..') continue;
    if (toolchainAt(parts, i)) { if (NESTED_TOOLCHAINS[c]) i++; continue; }
    return parts.slice(0, i + 1).join('/');
  }
  return null;
}

/** Whether the path runs from a toolchain or environment directory (a virtualenv, ~/.cargo/bin, ~/.nvm...). */
export function inToolchain(path: string): boolean {
  const parts = path.split('/');
  for (let i = 1; i < parts.length - 1; i++) {
    const c = parts[i];
    if (ENVIRONMENT_DIRS.has(c)) return true;
    if (c.startsWith('.') && toolchainAt(parts, i)) return true;
  }
  return false;
}
