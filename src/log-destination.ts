// A log sink that can never block the process or its exit: synchronous writes to a file descriptor
// that is non-blocking when it is a pipe; while the reader is slow (EAGAIN) lines wait in a bounded
// buffer (the oldest are dropped beyond it); once the reader is gone (EPIPE, EBADF) lines are dropped.
import { writeSync } from 'node:fs';

const RETRY_MS = 50;
const ignore = () => {};

export interface LogDestination {
  write(line: string): boolean;
  /** One write attempt of everything buffered; never waits. */
  flushSync(): void;
  /** Lines dropped so far (buffer full, or the reader gone). */
  readonly dropped: number;
}

export function nonBlockingDestination(fd = 1, maxBufferedBytes = 1024 * 1024): LogDestination {
  // Opening process.stdout/stderr makes libuv switch a pipe to O_NONBLOCK (a file or TTY stays as is):
  // a full pipe then answers EAGAIN instead of parking the thread in write(2).
  // Also: a reader gone (EPIPE) must not surface as an uncaught 'error' on the stream object.
  if (fd === 1) process.stdout.on('error', ignore);
  if (fd === 2) process.stderr.on('error', ignore);
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let broken = false;
  let dropped = 0;
  let retry: NodeJS.Timeout | null = null;

  const drop = (count: number) => {
    dropped += count;
  };

  function flushSync(): void {
    while (pending.length > 0 && !broken) {
      const head = pending[0] as Buffer;
      let written: number;
      try {
        written = writeSync(fd, head);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          scheduleRetry();
          return;
        }
        broken = true; // EPIPE, EBADF, …: nobody will read these lines
        drop(pending.length);
        pending.length = 0;
        pendingBytes = 0;
        return;
      }
      pendingBytes -= written;
      if (written < head.length) {
        pending[0] = head.subarray(written);
        scheduleRetry();
        return;
      }
      pending.shift();
    }
  }

  function scheduleRetry(): void {
    if (retry) return;
    retry = setTimeout(() => {
      retry = null;
      flushSync();
    }, RETRY_MS);
    retry.unref(); // a stalled reader never keeps the process alive
  }

  // One last attempt at exit, and only one: a stalled reader cannot hold the exit.
  process.once('exit', flushSync);

  return {
    write(line) {
      if (broken) {
        drop(1);
        return true;
      }
      const buffer = Buffer.from(line);
      pending.push(buffer);
      pendingBytes += buffer.length;
      // Drop the oldest whole lines, never the head: it may be half written already.
      while (pendingBytes > maxBufferedBytes && pending.length > 1) {
        pendingBytes -= (pending.splice(1, 1)[0] as Buffer).length;
        drop(1);
      }
      if (!retry) flushSync();
      return true;
    },
    flushSync,
    get dropped() {
      return dropped;
    },
  };
}
