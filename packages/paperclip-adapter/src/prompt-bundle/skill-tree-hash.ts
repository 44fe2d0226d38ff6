// A digest of a skill's source tree, so the bundle key changes whenever a skill's files do. Symlinks are
// followed (skills are often linked in), a dangling one hashes as missing, and a directory reached twice
// through links is hashed once (a loop would otherwise never end).
import { createHash, type Hash } from "node:crypto";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

export async function hashSkillTree(source: string): Promise<string> {
  const hash = createHash("sha256");
  await visit(hash, source, ".", new Set());
  return hash.digest("hex");
}

async function visit(hash: Hash, path: string, rel: string, seenDirs: Set<string>): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info === null) {
    hash.update(`missing\u0000${rel}\u0000`);
    return;
  }
  if (info.isDirectory()) {
    const real = await realpath(path);
    if (seenDirs.has(real)) {
      hash.update(`loop\u0000${rel}\u0000`);
      return;
    }
    seenDirs.add(real);
    hash.update(`dir\u0000${rel}\u0000`);
    const names = (await readdir(path)).sort();
    for (const name of names) await visit(hash, join(path, name), `${rel}/${name}`, seenDirs);
    seenDirs.delete(real);
    return;
  }
  if (info.isFile()) {
    const content = await readFile(path);
    hash.update(`file\u0000${rel}\u0000${content.length}\u0000`);
    hash.update(content);
    return;
  }
  hash.update(`other\u0000${rel}\u0000${info.mode}\u0000`);
}
