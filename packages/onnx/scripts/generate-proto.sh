#!/usr/bin/env bash
# Regenerates src/proto/onnx_pb.ts from proto/onnx.proto (vendored unchanged from the onnx 1.23.2 wheel
# on PyPI, IR_VERSION 14, Apache-2.0). Run from anywhere: `npm run generate -w @oxidizedvision/onnx`.
# buf (a protoc replacement, its binary shipped in the npm package) parses the schema and protoc-gen-es
# (protobuf-es v2) emits TypeScript; both run through npx at pinned versions, so neither is a dependency.
# To update the schema: copy onnx/onnx.proto from a newer onnx wheel into proto/ and run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF_VERSION=1.75.0
ES_VERSION=2.17.0
npx --yes "@bufbuild/buf@${BUF_VERSION}" generate --template '{
  "version": "v2",
  "plugins": [{
    "local": ["npx", "--yes", "@bufbuild/protoc-gen-es@'"${ES_VERSION}"'"],
    "out": "src/proto",
    "opt": ["target=ts", "import_extension=js"]
  }]
}' proto
# Formatted like the rest of the repo, so `npm run lint` (prettier --check) passes on the generated file.
npx prettier --log-level warn --write src/proto/onnx_pb.ts
echo "generated $(wc -l < src/proto/onnx_pb.ts) lines into src/proto/onnx_pb.ts"
