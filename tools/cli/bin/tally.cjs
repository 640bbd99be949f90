#!/usr/bin/env node
// The workspace has no build step for tools: the sources are compiled on require.
require('../../build/swc-register.cjs');
void require('../src/main.ts').run();
