/** Repair-oriented denials: what a planner can do about a violation, assembled once in Java. */
@NullMarked
package dev.hopgate.pdp.repair;

import org.jspecify.annotations.NullMarked;
