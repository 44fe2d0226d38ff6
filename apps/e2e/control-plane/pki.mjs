// The test cluster's PKI (a CA, the API server, kubelet and admin certificates, the ServiceAccount signing
// key, made with openssl) and kubeconfigs for an identity (client certificate or token).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toYaml } from './lib.mjs';

const openssl = (pki) => (...args) => execFileSync('openssl', args, { cwd: pki, stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * Issues `<pki>/<name>.crt` + `.key` (EC P-256, 10 years) signed by `<pki>/ca.crt`, for subject `subj`
 * (e.g. '/O=system:nodes/CN=system:node:n1') with the openssl extension lines `ext` (SANs, key usages).
 */
export function signLeafCert(pki, name, subj, ext) {
  const o = openssl(pki);
  fs.writeFileSync(path.join(pki, `${name}.ext`), ext);
  o('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subj,
    '-keyout', `${name}.key`, '-out', `${name}.csr`);
  o('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650',
    '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

export function genPki(pki, nodeName) {
  const o = openssl(pki);
  if (fs.existsSync(path.join(pki, 'admin.crt'))) return; // re-use a previous run's PKI in the same dir
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
    '-subj', '/CN=clipjob-e2e-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  const leaf = (name, subj, ext) => signLeafCert(pki, name, subj, ext);
  leaf('apiserver', '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  leaf('kubelet', `/O=system:nodes/CN=system:node:${nodeName}`,
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${nodeName}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
  leaf('admin', '/O=system:masters/CN=clipjob-e2e-admin', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  // ServiceAccount token signing key pair (RS256).
  o('genrsa', '-out', 'sa.key', '2048');
  o('rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

export function writeKubeconfig(file, { server, ca, user, cert, key, token, namespace }) {
  const b64 = (s) => Buffer.from(s).toString('base64');
  const kc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'clipjob-e2e', cluster: { server, 'certificate-authority-data': b64(ca) } }],
    users: [{ name: user, user: token ? { token } : { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) } }],
    contexts: [{ name: user, context: { cluster: 'clipjob-e2e', user, ...(namespace ? { namespace } : {}) } }],
    'current-context': user,
  };
  fs.writeFileSync(file, toYaml(kc), { mode: 0o600 });
}
