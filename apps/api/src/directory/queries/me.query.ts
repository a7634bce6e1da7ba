import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Capability, capabilitiesOf, directoryReadPolicy } from '@access-ledger/directory';
import { DirectoryAccess, DirectoryCaller } from '../directory-access';

export interface MeView {
  user: { id: string; firstName: string; lastName: string; email: string } | null;
  organisation: { id: string; name: string } | null;
  permissionLevel: string | null;
  capabilities: readonly Capability[];
  clinician: boolean;
  spoc: boolean;
  professional: boolean;
  status: 'active' | 'deactivated' | null;
  roles: readonly string[];
}

export class MeQuery extends Query<MeView> {
  constructor(readonly caller: DirectoryCaller) {
    super();
  }
}

/** The caller as effective for this token: rights as of its `iat`, clinician status as of now. */
@QueryHandler(MeQuery)
export class MeHandler implements IQueryHandler<MeQuery> {
  constructor(private readonly directory: DirectoryAccess) {}

  async execute({ caller }: MeQuery): Promise<MeView> {
    directoryReadPolicy.me(caller);
    const { user, rights } = caller;
    if (!user || !rights) {
      return { user: null, organisation: null, permissionLevel: null, capabilities: [], clinician: false, spoc: false, professional: false, status: null, roles: caller.platformRoles };
    }
    const organisation = await this.directory.organisation(user.organisationId);
    return {
      user: { id: user.userId, firstName: user.firstName, lastName: user.lastName, email: user.email },
      organisation: { id: user.organisationId, name: organisation.status === 'registered' ? organisation.name : '' },
      permissionLevel: rights.permissionLevel,
      capabilities: capabilitiesOf(rights.permissionLevel),
      clinician: user.clinician,
      spoc: rights.spoc,
      professional: rights.professional,
      status: user.status,
      roles: caller.platformRoles,
    };
  }
}
