import { accessRequestDecider } from '@access-ledger/access-requests';
import { participantDecider, workflowDecider } from '@access-ledger/care-access';
import { emailReservationDecider, organisationDecider, userDecider } from '@access-ledger/directory';

describe('Deciders', () => {
  it.each([
    ['organisation', organisationDecider],
    ['user', userDecider],
    ['e-mail reservation', emailReservationDecider],
    ['access request', accessRequestDecider],
    ['care workflow', workflowDecider],
    ['care participant', participantDecider],
  ] as const)('%s starts, before its stream has an event, from the one initial state every decider names alike', (_name, decider) => {
    expect(decider.initialState()).toEqual({ status: 'none' });
  });
});
