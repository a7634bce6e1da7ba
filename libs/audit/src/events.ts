/**
 * The audit context's own events: every audit read is recorded (who looked at what, when).
 *
 * Stream `auditlog-<readId>`: one per answered audit read, `readId` a random id the API gives the
 * read (no personal data in the name; no `-` in the category). One read is one event per
 * organisation whose data it showed, each with that `organisationId` (null when it showed no
 * organisation's data), so that an export of one organisation's events (filtered by
 * `data.organisationId`) holds every read of its data.
 */
export const auditLogStream = (readId: string) => `auditlog-${readId}`;

/** Who read: the token's `sub` and the e-mail address it carried. */
export type AuditReaderRef = { readonly id: string; readonly email: string };

export type AuditRecordRead = {
  type: 'AuditRecordRead';
  data: {
    readId: string;
    reader: AuditReaderRef;
    /** The path read, without its query string (`/audit/requests/<id>/timeline`). */
    path: string;
    /** The query parameters as sent (`asOf`, `at`, …): flat, string values. */
    query: Readonly<Record<string, string>>;
    /** The organisation whose data the read showed; null when it showed none. */
    organisationId: string | null;
    readAt: string;
  };
};
export type AuditEvent = AuditRecordRead;
