package io.barmand.fleet;

import java.time.Instant;

/** A run in progress on a node, as its heartbeat tells the fleet. */
public record Running(String server, String job, Instant started) {
}
