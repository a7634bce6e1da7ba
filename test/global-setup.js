// Printed once per test run, always: which adapter contract suites run against real servers.
module.exports = async () => {
  const lines = [];
  if (!process.env.EVENTSTORE_CONNECTION_STRING) {
    lines.push('EventStoreDB contract suite skipped: EVENTSTORE_CONNECTION_STRING is not set (e.g. esdb://localhost:2113?tls=false)');
    lines.push('Provisioning from an EventStoreDB persistent subscription group skipped: EVENTSTORE_CONNECTION_STRING is not set');
  }
  if (!process.env.MONGODB_URI) lines.push('MongoDB contract suite skipped: MONGODB_URI is not set (e.g. mongodb://localhost:27017/?replicaSet=rs0: a replica set, one node will do)');
  if (lines.length) process.stdout.write(`\n${lines.map((l) => `[contract] ${l}`).join('\n')}\n`);
};
