import { KeyObject, createHash, createPrivateKey, createPublicKey, hash as oneShotHash, sign, verify } from 'node:crypto';
import { Sha256 } from '@access-ledger/audit';

/**
 * node:crypto for the audit export: the sha256 of its hash chain and the service's Ed25519
 * audit key. Shared by the export, `GET /audit/public-key` and `npm run audit:verify`; no Nest.
 */
/** node:crypto's one-shot hash where the Node has it (20.12 on; faster for short texts), else a Hash object: the same digest. */
export const sha256Hex: Sha256 = (text) => (typeof oneShotHash === 'function' ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex'));

/** sha256 (hex) of a public key's DER (SPKI) form: the fingerprint a manifest names its key by. */
export const publicKeySha256 = (key: KeyObject): string => createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('hex');

/** Signs export manifests with the audit key (AUDIT_SIGNING_KEY, or the embedded one in DATA_DIR). */
export class AuditSigner {
  private readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  readonly publicKeySha256: string;

  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey({ key: privateKeyPem, format: 'pem' });
    if (this.privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The audit signing key must be an Ed25519 key');
    const publicKey = createPublicKey(this.privateKey);
    this.publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    this.publicKeySha256 = publicKeySha256(publicKey);
  }

  /** Ed25519 over the text's UTF-8 bytes, base64. */
  sign(text: string): string {
    return sign(null, Buffer.from(text, 'utf8'), this.privateKey).toString('base64');
  }
}

/** A check of Ed25519 signatures (base64) by the public key in this PEM; throws when it is not an Ed25519 public key. */
export const signatureCheck = (publicKeyPem: string): ((text: string, signature: string) => boolean) => {
  const key = createPublicKey({ key: publicKeyPem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 public key (${key.asymmetricKeyType})`);
  return (text, signature) => {
    try {
      return verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  };
};
