package dev.hopgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.mcp.JsonRpcCall;
import dev.hopgate.pdp.mcp.JsonRpcReader;
import dev.hopgate.pdp.mcp.ListFilter;
import dev.hopgate.pdp.mcp.McpListing;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What MCP adds to a Check: the strict read of a tools/call body (duplicate detection,
 * case-collision walk), against its peer, a plain Jackson readTree of the same body; and the
 * tools/list cut in ext_proc for a 20-tool list.
 *
 * <p>Run: {@code make bench-micro BENCH=McpBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class McpBenchmark {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  /** A typical tool call: a few arguments, about 400 bytes. */
  private final String toolCall =
      "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{"
          + "\"name\":\"reserve_stock\",\"arguments\":{\"sku\":\"SKU-12345\",\"quantity\":3,\"warehouse\":\"eu-west-1\","
          + "\"note\":\"reserve for order 7781 placed by the checkout planner\",\"tags\":[\"priority\",\"b2b\"],"
          + "\"dimensions\":{\"weight_kg\":1.25,\"length_cm\":30,\"width_cm\":20,\"height_cm\":10}},"
          + "\"_meta\":{\"progressToken\":\"p-42\"}}}";

  private final String toolList;

  public McpBenchmark() {
    StringBuilder list = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[");
    for (int i = 0; i < 20; i++) {
      list.append(i == 0 ? "" : ",")
          .append("{\"name\":\"tool_")
          .append(i)
          .append("\",\"description\":\"does ")
          .append(i)
          .append(
              "\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}");
    }
    toolList = list.append("]}}").toString();
  }

  @Benchmark
  public JsonRpcCall strictRead() throws Exception {
    return JsonRpcReader.read(toolCall, false);
  }

  /** The peer: what any JSON parse of the body costs. */
  @Benchmark
  public JsonNode plainReadTree() throws Exception {
    return PLAIN.readTree(toolCall);
  }

  private static final ListFilter.Kept KEPT =
      new ListFilter.Kept(McpListing.TOOLS, Set.of("tool_1", "tool_7", "tool_13"));

  @Benchmark
  public Optional<String> toolListCut() {
    return ListFilter.filter(toolList, "application/json", KEPT);
  }
}
