package dev.hopgate.pdp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisEndpointTest {
  @Test
  void aBadRedisUrl_isRefused_withoutItsPassword() {
    for (String bad :
        new String[] {
          "http://hopgate:s3cr3t-pw@redis:6379",
          "redis://hopgate:s3cr3t-pw@/nohost",
          "redis://hopgate:s3cr3t-pw@redis:6379/2",
          "redis://hopgate:s3cr3t-pw@redis:6379?timeout=1",
          "redis://hopgate:s3cr3t-pw@re dis:6379",
        }) {
      assertThatThrownBy(() -> RedisEndpoint.parse(bad, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("s3cr3t-pw")
          .hasMessageContaining("hopgate:***@");
    }
  }

  @Test
  void aPasswordWithoutAnAt_orInAQuery_isNotShownEither() {
    for (String bad :
        new String[] {
          "redis://:s3cr3t-pw", "redis://redis:6379?password=s3cr3t-pw", "redis://h:s3cr3t-pw"
        }) {
      assertThatThrownBy(() -> RedisEndpoint.parse(bad, null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("s3cr3t-pw");
    }
  }

  @Test
  void anAclUserAndPassword_areReadFromTheUrl_andOnlyTheUserIsShown() {
    RedisEndpoint e =
        RedisEndpoint.parse("rediss://hopgate:p%40ss%3Aword@redis.internal:6380", null);

    assertThat(e.tls()).isTrue();
    assertThat(e.user()).isEqualTo("hopgate");
    assertThat(e.password()).isEqualTo("p@ss:word");
    assertThat(e.host()).isEqualTo("redis.internal");
    assertThat(e.port()).isEqualTo(6380);
    assertThat(e.toString()).isEqualTo("rediss://hopgate@redis.internal:6380");
    assertThat(e.describe()).doesNotContain("p@ss");
  }

  @Test
  void thePasswordAlone_isTheDefaultUsersPassword() {
    RedisEndpoint e = RedisEndpoint.parse("redis://:pw@127.0.0.1", null);

    assertThat(e.user()).isNull();
    assertThat(e.password()).isEqualTo("pw");
    assertThat(e.port()).isEqualTo(6379);
    assertThat(e.tls()).isFalse();
  }

  @Test
  void aUserWithoutPassword_isRefused() {
    assertThatThrownBy(() -> RedisEndpoint.parse("redis://hopgate@127.0.0.1:6379", null))
        .hasMessageContaining("no password");
  }
}
