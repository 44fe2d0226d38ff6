// How the topology suite (cluster.e2e.mjs) reaches the one-node cluster and Paperclip in it: deploy/'s
// manifests, the route pods take to the API server, the workspace volume, the Paperclip pods and their logs,
// and Paperclip's HTTP API as a board user.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadAllYaml } from "@kubernetes/client-node";
import { readAll } from "../control-plane/lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEPLOY = path.resolve(HERE, "../../../deploy");
/** deploy/'s namespace. */
export const NAMESPACE = "paperclip";

/** The deploy/ objects in the kustomization's order. */
export function deployManifests() {
  const kustomization = loadAllYaml(fs.readFileSync(path.join(DEPLOY, "kustomization.yaml"), "utf8"))[0];
  return kustomization.resources.flatMap((file) => loadAllYaml(fs.readFileSync(path.join(DEPLOY, file), "utf8")).filter(Boolean));
}

const PLURAL = { Namespace: "namespaces", ServiceAccount: "serviceaccounts", Role: "roles", RoleBinding: "rolebindings", PersistentVolumeClaim: "persistentvolumeclaims", PersistentVolume: "persistentvolumes", Deployment: "deployments", Service: "services" };
/** The API collection path of a deploy/ object. */
export function collection(o) {
  const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${PLURAL[o.kind]}` : `${base}/${PLURAL[o.kind]}`;
}

/**
 * The parts that need the world (run.mjs's state: API server, node address, shared dir), an admin KubeClient
 * and the suite's log.
 */
export function topologyAccess({ world, admin, log }) {
  /**
   * Pods reach the API server the way a cluster with kube-proxy gives them: the `kubernetes` Service's
   * ClusterIP:443 (the addresses every pod's in-cluster config reads from its environment). Here a DNAT rule
   * in the harness's network namespace sends that to a relay on the node address, which forwards to the API
   * server's loopback port. Both go with the namespace; `stop()` removes them earlier.
   */
  async function serviceRoute() {
    const svc = await admin.get("/api/v1/namespaces/default/services/kubernetes");
    const clusterIp = svc.spec.clusterIP;
    const api = new URL(world.server);
    const sockets = new Set();
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(api.port), api.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise((resolve, reject) => relay.listen(0, world.nodeIp, resolve).once("error", reject));
    const rule = ["-t", "nat", "PREROUTING", "-d", `${clusterIp}/32`, "-p", "tcp", "--dport", "443", "-j", "DNAT", "--to-destination", `${world.nodeIp}:${relay.address().port}`];
    execFileSync("iptables", [rule[0], rule[1], "-A", ...rule.slice(2)]);
    log(`pods reach the API server: ${clusterIp}:443 -> ${world.nodeIp}:${relay.address().port} -> ${api.host}`);
    return {
      stop: () => {
        try {
          execFileSync("iptables", [rule[0], rule[1], "-D", ...rule.slice(2)]);
        } catch {}
        for (const s of sockets) s.destroy();
        return new Promise((r) => relay.close(() => r()));
      },
    };
  }

  /** A hostPath PersistentVolume for deploy/'s claim (one node: hostPath is shared by every pod on it). */
  function workspaceVolume(claim) {
    const dir = path.join(world.sharedDir, `paperclip-data-${process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.chownSync(dir, world.agentUid, world.agentUid);
    return {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: `paperclip-data-${process.pid}` },
      spec: {
        capacity: { storage: claim.spec.resources.requests.storage },
        accessModes: ["ReadWriteMany"],
        persistentVolumeReclaimPolicy: "Retain",
        hostPath: { path: dir, type: "Directory" },
        claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name },
      },
    };
  }

  const podsOf = async () => (await admin.get(`/api/v1/namespaces/${NAMESPACE}/pods`, { labelSelector: "app.kubernetes.io/name=paperclip" })).items;
  /** The Paperclip container's log (current, or the previous one after a crash). */
  async function podLog(name, previous = false, tailLines = 80) {
    try {
      const res = await admin.raw("GET", `/api/v1/namespaces/${NAMESPACE}/pods/${name}/log`, { query: { container: "paperclip", tailLines: String(tailLines), previous } });
      return await readAll(res);
    } catch (e) {
      return `(no log: ${e.message})`;
    }
  }

  return { serviceRoute, workspaceVolume, podsOf, podLog };
}

/**
 * Paperclip's HTTP API on the pod address, as a signed-in board user: Host and Origin are the loopback name
 * the private host-name guard admits (a user reaches it through the Service or a port-forward the same way),
 * the session cookie is kept between calls; with `bearer`, as the holder of that board API key instead.
 */
export function boardClient(podIp, { bearer } = {}) {
  let cookie = "";
  const call = (method, apiPath, body, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const auth = bearer ? { authorization: `Bearer ${bearer}` } : cookie ? { cookie } : {};
      const req = http.request({ host: podIp, port: 3100, method, path: `/api${apiPath}`, headers: { host: "localhost:3100", origin: "http://localhost:3100", accept: "application/json", ...(payload ? { "content-type": "application/json" } : {}), ...auth } }, async (res) => {
        const text = await readAll(res);
        const set = res.headers["set-cookie"];
        if (set) cookie = [...new Map([...cookie.split("; ").filter(Boolean).map((c) => c.split("=")), ...set.map((c) => c.split(";")[0].split("="))].map(([k, ...v]) => [k, v.join("=")])).entries()].map(([k, v]) => `${k}=${v}`).join("; ");
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        if (res.statusCode >= 300) reject(Object.assign(new Error(`${method} /api${apiPath}: ${res.statusCode} ${text.slice(0, 500)}`), { status: res.statusCode }));
        else resolve(json);
      });
      req.on("error", reject);
      // A bound only (a hung request ends the step): Paperclip answers a cancel once the adapter has stopped.
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} /api${apiPath}: no answer in ${timeoutMs} ms`)));
      req.end(payload);
    });
  return { call };
}

/** A heartbeat run's log as text (Paperclip serves JSON lines of output chunks). */
export async function runLog(board, runId) {
  const content = String((await board.call("GET", `/heartbeat-runs/${runId}/log?offset=0&limitBytes=1048576`))?.content ?? "");
  return content.split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l).chunk ?? ""; } catch { return l; } }).join("");
}
