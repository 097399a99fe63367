// One owner per PGlite data directory: PGlite is a single-process database, so a second opener (the
// CLI while the server runs, a second server) would write where the owner never looks. A lock file
// next to the data directory names the owner; a lock left by a dead process is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

export interface DataDirLock {
  release(): void;
}

/** `<dataDir>.lock`, beside the directory (PGlite owns everything inside it). */
export function lockPathFor(dataDir: string): string {
  return path.join(path.dirname(path.resolve(dataDir)), `${path.basename(dataDir)}.lock`);
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockPath = lockPathFor(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, command: process.argv.slice(1).join(' ') }));
      closeSync(fd);
      const release = () => {
        process.off('exit', release);
        if (readHolder(lockPath)?.pid === process.pid) unlinkSync(lockPath);
      };
      process.on('exit', release); // also released on process.exit from a signal handler
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(lockPath);
    if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DataDirLockedError(
        `The embedded database in ${path.resolve(dataDir)} is in use by process ${holder.pid} (${holder.command}). ` +
          'Stop that process first, or point both at one PostgreSQL database with DATABASE_URL=postgres://…',
      );
    }
    unlinkSync(lockPath); // stale: its owner is gone (or it is unreadable, i.e. half written)
  }
  throw new DataDirLockedError(`Could not take the lock ${lockPath}; another process is racing for it.`);
}

function readHolder(lockPath: string): { pid: number; command: string } | null {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid?: unknown; command?: unknown };
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? '') } : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
