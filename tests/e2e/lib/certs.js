'use strict';
// Test certificates made with the openssl command line at test time: a CA, and server
// certificates it signs for 127.0.0.1 and localhost. Nothing is committed; every key is
// a fresh P-256 key in a temp dir.

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function openssl(args, cwd) {
  try {
    return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (err) {
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr ? err.stderr.toString() : err.message}`);
  }
}

/** A self-signed CA in dir: {certFile, keyFile, pem}. */
function makeCa(dir, { cn = 'rtcstream test CA' } = {}) {
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${cn}`], dir);
  return { certFile, keyFile, pem: fs.readFileSync(certFile, 'utf8') };
}

/**
 * A server certificate signed by `ca`, valid for IP 127.0.0.1 and DNS localhost, written to
 * <dir>/<name>.pem and <dir>/<name>.key. Resolves {certFile, keyFile, serial (upper-case hex),
 * subject, notAfterUnix (seconds), spki (base64 SHA-256 of the public key, for Chromium's
 * --ignore-certificate-errors-spki-list), keyPem}.
 */
function makeServerCert(dir, ca, { name, cn, serial }) {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  const csrFile = path.join(dir, `${name}.csr`);
  const extFile = path.join(dir, `${name}.ext`);
  fs.writeFileSync(extFile, [
    'subjectAltName = IP:127.0.0.1, DNS:localhost',
    'basicConstraints = CA:FALSE',
    'keyUsage = digitalSignature',
    'extendedKeyUsage = serverAuth',
    '',
  ].join('\n'));
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${cn}`], dir);
  openssl(['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-set_serial', `0x${serial}`, '-days', '2', '-extfile', extFile, '-out', certFile], dir);
  const pem = fs.readFileSync(certFile, 'utf8');
  const x509 = new crypto.X509Certificate(pem);
  const spkiDer = x509.publicKey.export({ type: 'spki', format: 'der' });
  return {
    certFile,
    keyFile,
    serial: x509.serialNumber.toUpperCase(),
    subject: x509.subject,
    notAfterUnix: Date.parse(x509.validTo) / 1000,
    spki: crypto.createHash('sha256').update(spkiDer).digest('base64'),
    keyPem: fs.readFileSync(keyFile, 'utf8'),
  };
}

module.exports = { makeCa, makeServerCert };
