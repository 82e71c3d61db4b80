// TLS for the Kubernetes API twin: a CA generated at start (kept in stateDir so a restarted demo keeps working with
// the same kubeconfig) and a serving certificate for 127.0.0.1 / localhost / kubernetes.default.svc signed by it, as
// kubeadm does for kube-apiserver. X.509 built with node-forge. The RSA 2048 key pair takes seconds to generate on a
// busy machine, so one pair serves every certificate of the process, and is kept in the system's temp folder for the
// next run (a loopback twin's key guards nothing; each twin still gets its own CA).
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import forge from "node-forge";

export interface TwinTls {
  /** PEM of the CA that signed the serving certificate (what kubeconfig's certificate-authority-data carries). */
  ca: string;
  cert: string;
  key: string;
  caPath: string;
}

let pair: { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privatePem: string } | undefined;
const KEY_CACHE = path.join(os.tmpdir(), "dnsdeck-twin-tls-key.pem");

function rsaPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privatePem: string } {
  if (pair) return pair;
  let privatePem: string | undefined;
  try {
    privatePem = readFileSync(KEY_CACHE, "utf8");
  } catch {
    /* first run on this machine */
  }
  let privateKey = privatePem ? safe(() => forge.pki.privateKeyFromPem(privatePem!)) : undefined;
  if (!privateKey) {
    privatePem = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
    privateKey = forge.pki.privateKeyFromPem(privatePem);
    const tmp = `${KEY_CACHE}.${process.pid}`;
    writeFileSync(tmp, privatePem, { mode: 0o600 });
    renameSync(tmp, KEY_CACHE);
  }
  const rsa = privateKey as forge.pki.rsa.PrivateKey;
  pair = { publicKey: forge.pki.setRsaPublicKey(rsa.n, rsa.e), privateKey, privatePem: privatePem! };
  return pair;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString("hex");
}

function makeCa(): { cert: forge.pki.Certificate; key: forge.pki.PrivateKey; certPem: string; keyPem: string } {
  const kp = rsaPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = kp.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3650 * 86400_000);
  // CN as kubeadm's; a unique OU so several twins in one process (tests) never mistake each other's CA
  const attrs = [{ name: "commonName", value: "kubernetes" }, { name: "organizationalUnitName", value: `dnsdeck-twin-${randomBytes(4).toString("hex")}` }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(kp.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert, key: kp.privateKey, certPem: forge.pki.certificateToPem(cert), keyPem: kp.privatePem };
}

function makeServing(ca: { cert: forge.pki.Certificate; key: forge.pki.PrivateKey }, host: string): { certPem: string; keyPem: string } {
  const kp = rsaPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = kp.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86400_000);
  cert.setSubject([{ name: "commonName", value: "kube-apiserver" }]);
  cert.setIssuer(ca.cert.subject.attributes);
  const ips = [...new Set(["127.0.0.1", "10.96.0.1", ...(/^\d+\.\d+\.\d+\.\d+$/.test(host) ? [host] : [])])];
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
    {
      name: "subjectAltName",
      altNames: [
        ...["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", ...(/^\d/.test(host) ? [] : [host])].map((value) => ({ type: 2, value })),
        ...ips.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(ca.key as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: kp.privatePem };
}

/** Load the twin's CA from stateDir (or create it) and issue a fresh serving certificate for `host`. */
export function twinTls(stateDir: string, host: string): TwinTls {
  mkdirSync(stateDir, { recursive: true });
  const caPath = path.join(stateDir, "ca.crt");
  const caKeyPath = path.join(stateDir, "ca.key");
  let ca: { cert: forge.pki.Certificate; key: forge.pki.PrivateKey; certPem: string };
  const stillValid = (pem: string) => {
    try {
      return Date.parse(new X509Certificate(pem).validTo) > Date.now() + 86400_000;
    } catch {
      return false;
    }
  };
  if (existsSync(caPath) && existsSync(caKeyPath) && stillValid(readFileSync(caPath, "utf8"))) {
    const certPem = readFileSync(caPath, "utf8");
    ca = { cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(readFileSync(caKeyPath, "utf8")), certPem };
  } else {
    const made = makeCa();
    writeFileSync(caKeyPath, made.keyPem, { mode: 0o600 });
    writeFileSync(caPath, made.certPem);
    ca = made;
  }
  const serving = makeServing(ca, host);
  return { ca: ca.certPem, cert: serving.certPem, key: serving.keyPem, caPath };
}
