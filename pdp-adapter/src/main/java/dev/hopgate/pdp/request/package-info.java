/**
 * What hopgate knows of a request before verifying anything: its headers, route extensions, body,
 * caller and trace.
 */
@NullMarked
package dev.hopgate.pdp.request;

import org.jspecify.annotations.NullMarked;
