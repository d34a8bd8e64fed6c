// Jest setup file of the parallel suites: this worker's topics and database (test-namespace.js).
require('./test-namespace').enterTestNamespace();
