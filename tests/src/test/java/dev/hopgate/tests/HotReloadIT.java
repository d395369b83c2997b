package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies change under a running hopgate: good sets swap in atomically, broken ones never do. */
class HotReloadIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLOSE_INVENTORY =
      """
      @id("test-inventory-closed-for-stocktaking")
      @gate("capability")
      @code("closed_for_stocktaking")
      forbid (principal, action == Hopgate::Action::"perform", resource)
      when { context.component == "spiffe://shop.example/inventory" };
      """;

  @TempDir Path dir;

  @Test
  void policyFiles_reloadOnChange_andABrokenSetKeepsThePreviousOneServing() throws Exception {
    Path live = Files.createDirectories(dir.resolve("cedar-live"));
    try (Stream<Path> shipped = Files.list(Tools.repo().resolve("policies/cedar"))) {
      for (Path f : shipped.toList()) {
        Files.copy(f, live.resolve(f.getFileName()));
      }
    }
    try (EdgeStack stack =
        EdgeStack.start(
            Files.createDirectories(dir.resolve("edge")), "", "--set", "policies.cedar=" + live)) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      assertThat(status(stack, planner)).isEqualTo(200);

      Files.writeString(live.resolve("stocktaking.cedar"), CLOSE_INVENTORY);
      Eventually.until(
          "the added forbid serves", () -> code(stack, planner).equals("closed_for_stocktaking"));
      assertThat(stack.hopgate().logText()).contains("reloaded (files changed): serving revision");

      Files.writeString(live.resolve("broken.cedar"), "forbid (principal, action, resource");
      Eventually.until(
          "the broken set is rejected",
          () -> stack.hopgate().logText().contains("reload (files changed) rejected"));
      assertThat(stack.hopgate().logText()).contains("broken.cedar: does not parse");
      assertThat(code(stack, planner))
          .as("the previous set still serves")
          .isEqualTo("closed_for_stocktaking");

      Files.delete(live.resolve("broken.cedar"));
      Files.delete(live.resolve("stocktaking.cedar"));
      Eventually.until("the shipped set serves again", () -> status(stack, planner) == 200);

      // SIGHUP reloads too (here nothing changed: the same revision is swapped in again). Only the
      // SIGHUP lines are counted: the watcher may still report the two deletions as a later reload.
      assertThat(stack.hopgate().logText())
          .as(
              "hopgate inherited SIGHUP ignored (started under nohup?): "
                  + "a JVM cannot handle a signal its parent ignored")
          .doesNotContain("SIGHUP cannot be handled here");
      new ProcessBuilder("kill", "-HUP", Long.toString(stack.hopgate().pid())).start().waitFor();
      Eventually.until("hopgate reloads on SIGHUP", () -> sighupReloads(stack) > 0);
      assertThat(sighupReloads(stack)).as("one SIGHUP, one reload").isEqualTo(1);
    }
  }

  private static int status(EdgeStack stack, SSLContext planner) {
    try {
      return stack
          .get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY))
          .statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String code(EdgeStack stack, SSLContext planner) {
    try {
      var response =
          stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY));
      return response.statusCode() == 200
          ? ""
          : JSON.readTree(response.body()).at("/violations/0/code").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long sighupReloads(EdgeStack stack) {
    return stack.hopgate().logText().lines().filter(l -> l.contains("reloaded (SIGHUP)")).count();
  }
}
