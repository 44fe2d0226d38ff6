// Whether the agent container can write to the shared /paperclip volume, judged from the directory's owner
// and mode as the host pod sees them. The kubelet applies `fsGroup` only to volume types that support
// ownership management; hostPath and NFS roots keep the owner and mode they have, so a `root 0755` root is
// read-only for the agent: Claude then saves no session and says nothing.

/** The agent pod's identity: every agent Job runs as this user and group, with this fsGroup. */
export const AGENT_POD_SECURITY = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true } as const;

/** A directory's owner and permission bits (`stat`: uid, gid, mode & 0o7777). */
export interface DirectoryOwnership {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/**
 * True when a process with AGENT_POD_SECURITY's uid, gid and supplementary fsGroup may create files in the
 * directory, by the Unix rule: the owner's bits if it owns it, else the group's if one of its groups owns
 * it, else the others' bits. (Root inside the pod is not the agent: `runAsNonRoot`.)
 */
export function agentCanWrite(dir: DirectoryOwnership, security: { readonly runAsUser: number; readonly runAsGroup: number; readonly fsGroup: number } = AGENT_POD_SECURITY): boolean {
  if (dir.uid === security.runAsUser) return (dir.mode & 0o200) !== 0 && (dir.mode & 0o100) !== 0;
  if (dir.gid === security.runAsGroup || dir.gid === security.fsGroup) return (dir.mode & 0o020) !== 0 && (dir.mode & 0o010) !== 0;
  return (dir.mode & 0o002) !== 0 && (dir.mode & 0o001) !== 0;
}

/** "root 0755" style, for messages. */
export function describeOwnership(dir: DirectoryOwnership): string {
  return `uid ${dir.uid}, gid ${dir.gid}, mode ${(dir.mode & 0o7777).toString(8).padStart(4, "0")}`;
}
