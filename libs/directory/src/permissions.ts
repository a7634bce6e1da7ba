export const PERMISSION_LEVELS = ['recorder', 'administrator', 'lead_administrator'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export const CAPABILITIES = ['record_vaccinations', 'manage_vaccines', 'create_reports', 'manage_workflows', 'manage_users'] as const;
export type Capability = (typeof CAPABILITIES)[number];

const GRANTS: Record<PermissionLevel, readonly Capability[]> = {
  recorder: ['record_vaccinations'],
  administrator: ['record_vaccinations', 'manage_vaccines', 'create_reports', 'manage_workflows'],
  lead_administrator: ['record_vaccinations', 'manage_vaccines', 'create_reports', 'manage_workflows', 'manage_users'],
};

export const capabilitiesOf = (level: PermissionLevel): readonly Capability[] => GRANTS[level];
export const can = (level: PermissionLevel, capability: Capability): boolean => GRANTS[level].includes(capability);
