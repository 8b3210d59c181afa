#!/usr/bin/env -S node --max-semi-space-size=8
// V8 sizes the young generation from the machine's memory: 64 MiB semi-spaces
// on a 24 GiB host, 128 MiB of RSS that certops' short-lived garbage never
// needs. 8 MiB keeps scavenges cheap. The flags on the line above are the
// ones every launcher uses (npm start, the image, the benchmarks read them).
// Node 24 runs the TypeScript sources directly (type stripping).
import "../src/cli/main.ts"
