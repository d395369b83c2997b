package dev.hopgate.pdp.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceContextTest {
  @Test
  void traceId_isReadFromAValidTraceparentOnly() {
    assertThat(TraceContext.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(TraceContext.traceId(null)).isNull();
    assertThat(TraceContext.traceId("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")).isNull();
    assertThat(TraceContext.traceId("garbage; drop table")).isNull();
  }
}
