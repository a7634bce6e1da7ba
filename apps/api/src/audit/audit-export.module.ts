import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@access-ledger/platform';
import { DirectoryModule } from '../directory/directory.module';
import { AuditReads } from './audit-reads';
import { AuditSigner } from './audit-signing';
import { AUDIT_EXPORT_OPTIONS, AuditExport } from './export-audit/audit-export';
import { ExportAuditController } from './export-audit/export-audit.controller';
import { AuditPublicKeyController } from './public-key/public-key.controller';

/** The signed export and the key it is signed with (a module of its own inside AuditModule). */
@Module({
  imports: [DirectoryModule],
  controllers: [ExportAuditController, AuditPublicKeyController],
  providers: [
    // Stateless: this module's own instance records the export as an audit read, as AuditModule's does for its reads.
    AuditReads,
    AuditExport,
    { provide: AUDIT_EXPORT_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => ({ workerFromEvents: config.auditExportWorkerFromEvents }) },
    {
      provide: AuditSigner,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.auditSigningKey) throw new Error('The API needs the audit signing key (AUDIT_SIGNING_KEY); load its configuration with auditKey');
        return new AuditSigner(config.auditSigningKey.pem);
      },
    },
  ],
})
export class AuditExportModule {}
