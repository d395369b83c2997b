/** A minimal transaction token service: RFC 8693 token exchange for origin and hop tokens. */
@NullMarked
package dev.hopgate.tokens;

import org.jspecify.annotations.NullMarked;
