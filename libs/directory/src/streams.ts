/**
 * Stream names: `<category>-<id>` with no `-` in the category. No personal data in a
 * name: the e-mail reservation stream is named by a hash of the normalised address.
 */
export const organisationStream = (organisationId: string) => `organisation-${organisationId}`;
export const userStream = (userId: string) => `user-${userId}`;
export const emailReservationStream = (emailHash: string) => `useremail-${emailHash}`;

/** E-mail addresses are unique as a whole, ignoring case: `jane+x@nhs.net` differs from `jane@nhs.net`. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export const emailDomainOf = (email: string): string => normaliseEmail(email).split('@').pop() ?? '';
