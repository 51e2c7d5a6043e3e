// A FileSystem that hands every call to another one. Fault injection and spies (tests, chaos
// runs) extend it and override only the calls they change, e.g. open() to wrap the handles.
// It offers no writer thread on purpose: every write then goes through a handle, where a
// subclass can see it.

import type { FileHandle, FileStat, FileSystem, OpenMode, OpenOptions } from './mod.js';

export class ForwardingFileSystem implements FileSystem {
  constructor(protected readonly inner: FileSystem) {}

  open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandle> { return this.inner.open(path, mode, options); }
  readFile(path: string): Promise<Buffer> { return this.inner.readFile(path); }
  writeFileAtomic(path: string, data: Buffer): Promise<void> { return this.inner.writeFileAtomic(path, data); }
  rename(from: string, to: string): Promise<void> { return this.inner.rename(from, to); }
  unlink(path: string): Promise<void> { return this.inner.unlink(path); }
  link(existing: string, newPath: string): Promise<void> { return this.inner.link(existing, newPath); }
  mkdirp(path: string): Promise<void> { return this.inner.mkdirp(path); }
  readdir(path: string): Promise<string[]> { return this.inner.readdir(path); }
  stat(path: string): Promise<FileStat | null> { return this.inner.stat(path); }
  syncDir(path: string): Promise<void> { return this.inner.syncDir(path); }
  rmrf(path: string): Promise<void> { return this.inner.rmrf(path); }
  freeBytes(path: string): Promise<number> { return this.inner.freeBytes(path); }
}
