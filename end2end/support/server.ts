import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The `tend` binary under test (built by scripts/test). */
const TEND_BIN = process.env.TEND_BIN ?? path.resolve(__dirname, '../../target/debug/tend');

/**
 * The example phrases' embeddings, kept from the first server for the
 * rest: each fresh data directory would otherwise embed every example again
 * (about 15 s in a debug build, 46 s on a slow day; global-setup.ts pays
 * for the first one before any test). Tend checks the file's fingerprint against
 * the model and rebuilds a cache that does not match.
 */
const SHARED_EMBEDDINGS = path.resolve(__dirname, '../../target/e2e-embeddings.bin');

/** Keeps the first server's embedding cache for the servers after it. */
function shareEmbeddings(cache: string): void {
  if (fs.existsSync(SHARED_EMBEDDINGS) || !fs.existsSync(cache)) return;
  const part = `${SHARED_EMBEDDINGS}.${process.pid}.part`;
  fs.copyFileSync(cache, part);
  fs.renameSync(part, SHARED_EMBEDDINGS);
}

/**
 * A real Tend server on a free port, with its own data directory and one
 * allowed root (`files`) in a fresh temporary directory.
 */
export class TendServer {
  readonly home: string;
  readonly dataDir: string;
  readonly filesDir: string;
  url = '';
  private child?: ChildProcess;
  private port = 0;

  /**
   * `env`: extra settings for the server (TEND_* variables). `sharing`: a
   * server whose data directory and files this one uses too, as a second
   * node on a shared filesystem does.
   */
  constructor(readonly env: Record<string, string> = {}, sharing?: TendServer) {
    this.home = sharing?.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tend-e2e-'));
    this.dataDir = path.join(this.home, 'data');
    this.filesDir = path.join(this.home, 'files');
    fs.mkdirSync(this.filesDir, { recursive: true });
  }

  /** Starts the server; after a restart it keeps the same port so pages can reconnect. */
  async start(): Promise<void> {
    const cache = path.join(this.dataDir, 'cache', 'embeddings.bin');
    if (fs.existsSync(SHARED_EMBEDDINGS) && !fs.existsSync(cache)) {
      fs.mkdirSync(path.dirname(cache), { recursive: true });
      fs.copyFileSync(SHARED_EMBEDDINGS, cache);
    }
    const child = spawn(TEND_BIN, [], {
      env: {
        ...process.env,
        TEND_BIND: `127.0.0.1:${this.port}`,
        TEND_DATA_DIR: this.dataDir,
        TEND_ALLOWED_ROOTS: this.filesDir,
        // The real intent model, fetched by scripts/setup.sh (absent: keyword cues).
        TEND_MODEL_DIR: process.env.TEND_MODEL_DIR ?? path.resolve(__dirname, '../../models/multilingual-e5-small'),
        RUST_LOG: 'tend=info',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const name = this.env.TEND_NODE_NAME ? `server-${this.env.TEND_NODE_NAME}.log` : 'server.log';
    const log = fs.createWriteStream(path.join(this.home, name), { flags: 'a' });
    child.stderr?.pipe(log);
    this.url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      // The first start embeds every example phrase (about 1,300): over a
      // minute in a debug build on a slow day; global-setup.ts pays for it.
      const timer = setTimeout(() => reject(new Error(`tend did not start: ${seen}`)), 240_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = seen.match(/Tend is running at (http:\/\/[\d.]+:(\d+))/);
        if (match) {
          clearTimeout(timer);
          this.port = Number(match[2]);
          shareEmbeddings(cache);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tend exited with ${code}: ${seen}`));
      });
    });
  }

  /** Kills the server (SIGKILL: nothing gets a chance to clean up). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async dispose(): Promise<void> {
    await this.kill();
    fs.rmSync(this.home, { recursive: true, force: true });
  }

  /** Writes a file under the allowed root with a given age in days. */
  writeFile(relative: string, content: string, ageDays: number): string {
    const full = path.join(this.filesDir, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    const when = new Date(Date.now() - ageDays * 86_400_000);
    fs.utimesSync(full, when, when);
    return full;
  }
}
