// Live tests against real vendors (test mode), run only by `npm run test:live`.
// Each suite skips itself with a message when its credentials are unset.
const base = require('./jest.config.js');
const { displayName: _unit, testMatch: _match, ...common } = base.projects[0];

module.exports = {
  ...common,
  displayName: 'live',
  testMatch: ['<rootDir>/test/live/**/*.live-spec.ts'],
  testTimeout: 60_000,
};
