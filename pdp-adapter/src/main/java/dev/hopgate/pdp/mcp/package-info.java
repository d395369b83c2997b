/**
 * MCP (JSON-RPC 2.0) on the wire: reading tool calls as steps and answering denials MCP clients
 * survive.
 */
@NullMarked
package dev.hopgate.pdp.mcp;

import org.jspecify.annotations.NullMarked;
