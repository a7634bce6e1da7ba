import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@access-ledger/platform';
import { AuditSigner } from '../audit-signing';

/** The key export manifests are signed with: public by nature, so public here (an authority verifying a file may have no token). */
@ApiTags('audit')
@Public()
@Controller('audit')
export class AuditPublicKeyController {
  constructor(private readonly signer: AuditSigner) {}

  @Get('public-key')
  @ApiOperation({ summary: 'The audit key’s public key (PEM, SPKI), to verify export manifests: npm run audit:verify -- <file> --public-key <this>' })
  @ApiProduces('application/x-pem-file')
  @Header('Content-Type', 'application/x-pem-file')
  publicKey(@Res({ passthrough: true }) response: Response): string {
    // The fingerprint manifests name the key by (manifest.publicKeySha256).
    response.setHeader('Audit-Key-Sha256', this.signer.publicKeySha256);
    return this.signer.publicKeyPem;
  }
}
