// Browser tests run under mocha (through @web/test-runner), which provides describe/it/before/after
// as globals. tsconfig lists only Node's types, so mocha's are pulled in here for the test files.
/// <reference types="mocha" />
