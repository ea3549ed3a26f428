export { findPython, type PythonInfo, type FindPythonOptions } from './find-python.js';
export { runBridge, BRIDGE_SCRIPT, type BridgeCallOptions } from './run-bridge.js';
