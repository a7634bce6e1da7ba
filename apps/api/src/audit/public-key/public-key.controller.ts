import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAnswer, Public, s } from '@access-ledger/platform';
import { AuditSigner } from '../audit-signing';

/** The key export manifests are signed with: public by nature, so public here (an authority verifying a file may have no token). */
@ApiTags('audit')
@Public()
@Controller('audit')
export class AuditPublicKeyController {
  constructor(private readonly signer: AuditSigner) {}

  @Get('public-key')
  @ApiOperation({
    operationId: 'AuditPublicKeyController_publicKey',
    summary: 'The audit key’s public key (PEM, SPKI), to verify export manifests: npm run audit:verify -- <file> --public-key <this>',
  })
  @ApiAnswer(200, s.string({ description: 'The public key, SPKI PEM.' }), {
    mediaType: 'application/x-pem-file',
    headers: { 'Audit-Key-Sha256': { description: 'sha256 of the key’s DER SPKI, hex: what manifests name it by (publicKeySha256).', schema: s.string({ pattern: '^[0-9a-f]{64}$' }) } },
  })
  @Header('Content-Type', 'application/x-pem-file')
  publicKey(@Res({ passthrough: true }) response: Response): string {
    // The fingerprint manifests name the key by (manifest.publicKeySha256).
    response.setHeader('Audit-Key-Sha256', this.signer.publicKeySha256);
    return this.signer.publicKeyPem;
  }
}
