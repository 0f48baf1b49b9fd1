"""Generates the Python and Node.js SDKs (sdk/) from schema.json. Run: bash scripts/gen-sdk.sh."""
